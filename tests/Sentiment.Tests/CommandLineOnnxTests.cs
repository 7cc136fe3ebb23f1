namespace RnnMl.Samples.Sentiment.Tests;

/// <summary>The sample's ONNX commands on the command line: export, and predict with an exported model.</summary>
public sealed class CommandLineOnnxTests
{
    [Fact]
    public void Parse_PredictWithOnnx_TakesTheOnnxPathAndNoModel()
    {
        var c = CommandLine.Parse(new[] { "predict", "--onnx", "m.onnx", "not bad", "dull" });
        Assert.Equal(CommandKind.Predict, c.Kind);
        Assert.Equal("m.onnx", c.Predict!.OnnxPath);
        Assert.Null(c.Predict.ModelPath);
        Assert.Equal(new[] { "not bad", "dull" }, c.Predict.Texts);
    }

    [Fact]
    public void Parse_PredictWithModelAndOnnx_IsRefused()
    {
        var e = Assert.Throws<CommandLineException>(() => CommandLine.Parse(new[] { "predict", "--model", "m.zip", "--onnx", "m.onnx", "x" }));
        Assert.Contains("not both", e.Message);
    }

    [Fact]
    public void Parse_Export_DefaultsTheModelToTrainingsOutput()
    {
        var c = CommandLine.Parse(new[] { "export", "--onnx", "m.onnx" });
        Assert.Equal(CommandKind.Export, c.Kind);
        Assert.Equal("m.onnx", c.Export!.OnnxPath);
        Assert.Equal(new TrainSettings().ModelOut, c.Export.ModelPath);
    }

    [Fact]
    public void Parse_ExportWithoutOnnx_IsRefusedNamingTheOption()
    {
        var e = Assert.Throws<CommandLineException>(() => CommandLine.Parse(new[] { "export", "--model", "m.zip" }));
        Assert.Contains("--onnx", e.Message);
    }
}
