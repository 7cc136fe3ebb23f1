using RnnMl.Samples.Sentiment;

namespace RnnMl.Samples.Translation.Tests;

/// <summary>The sample's <c>export --onnx FOLDER</c> command line.</summary>
public sealed class CommandLineExportTests
{
    [Fact]
    public void Parse_ExportWithOnnx_DefaultsToTheTrainedModelFile()
    {
        var command = CommandLine.Parse(new[] { "export", "--onnx", "out-onnx" });
        Assert.Equal(CommandKind.Export, command.Kind);
        Assert.Equal("out-onnx", command.OnnxPath);
        Assert.Equal(new TrainSettings().ModelOut, command.ModelPath);
        Assert.Equal("m.zip", CommandLine.Parse(new[] { "export", "--model=m.zip", "--onnx", "o" }).ModelPath);
    }

    [Fact]
    public void Parse_ExportWithoutOnnxOrWithUnknownOption_Fails()
    {
        Assert.Contains("export needs --onnx FOLDER", Assert.Throws<CommandLineException>(() => CommandLine.Parse(new[] { "export", "--model", "m.zip" })).Message);
        Assert.Contains("'--beam'", Assert.Throws<CommandLineException>(() => CommandLine.Parse(new[] { "export", "--onnx", "o", "--beam", "3" })).Message);
    }
}
