namespace RnnMl.Samples.Tagging.Tests;

public class TaggingSampleTests
{
    [Fact]
    public void Generate_IsDeterministic_AndTheSameWordGetsDifferentTagsByContext()
    {
        var a = GeneratedEntities.Generate(500, 3);
        Assert.Equal(a.Select(s => string.Join(" ", s.Tokens)), GeneratedEntities.Generate(500, 3).Select(s => string.Join(" ", s.Tokens)));
        Assert.All(a, s => Assert.Equal(s.Tokens.Count, s.Tags.Count));
        var jordan = a.SelectMany(s => s.Tokens.Zip(s.Tags)).Where(p => p.First == "Jordan").Select(p => p.Second).ToHashSet();
        Assert.Contains("B-PER", jordan);
        Assert.Contains("B-LOC", jordan);
        Assert.Contains("I-PER", jordan);   // "John Jordan"
    }

    [Theory]
    [InlineData("--crf", "maybe", "--crf must be true or false")]
    [InlineData("--char-encoder", "gru", "--char-encoder must be lstm, cnn or none, got 'gru'")]
    [InlineData("--train", "a.conll", "--train and --test go together")]
    [InlineData("--epochs", "0", "--epochs needs a whole number of at least 1")]
    [InlineData("--casing", "-1", "--casing needs a whole number of at least 0")]
    [InlineData("--embedding", "0", "--embedding needs a whole number of at least 1")]
    public void BadArguments_ExitWith2AndSayWhy(string name, string value, string message)
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(new[] { name, value }, TextWriter.Null, error));
        Assert.Contains(message, error.ToString());
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("cnn")]
    public void TrainOnBuiltInData_ThenTag_FromTheSavedModelAndItsOnnxExport(string charEncoder)
    {
        var folder = Directory.CreateTempSubdirectory("rnnml-tagging-sample-").FullName;
        try
        {
            var model = Path.Combine(folder, "m.zip");
            var output = new StringWriter();
            Assert.Equal(0, Program.Run(new[] { "--epochs", "6", "--char-encoder", charEncoder, "--model", model }, output, TextWriter.Null));
            var text = output.ToString();
            var line = text.Split('\n').First(l => l.StartsWith("test: token accuracy", StringComparison.Ordinal));
            double accuracy = double.Parse(line.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(accuracy >= 95, text);
            Assert.Contains("micro", text);
            Assert.Contains(charEncoder == "cnn" ? "+ character CNN" : "+ character BiLSTM", text);

            const string Expected = "Jordan/B-PER flew/O to/O Jordan/B-LOC with/O Maria/B-PER ./O";
            var tagged = new StringWriter();
            Assert.Equal(0, Program.Run(new[] { "tag", "--model", model, "Jordan flew to Jordan with Maria ." }, tagged, TextWriter.Null));
            Assert.Equal(Expected, tagged.ToString().Trim());

            var onnx = Path.Combine(folder, "m.onnx");
            var exported = new StringWriter();
            Assert.Equal(0, Program.Run(new[] { "export", "--model", model, "--onnx", onnx }, exported, TextWriter.Null));
            Assert.Contains("exported", exported.ToString());
            var onOnnx = new StringWriter();
            Assert.Equal(0, Program.Run(new[] { "tag", "--model", onnx, "Jordan flew to Jordan with Maria ." }, onOnnx, TextWriter.Null));
            Assert.Equal(Expected, onOnnx.ToString().Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Tag_MissingModel_ExitsWith1NamingThePath()
    {
        var error = new StringWriter();
        Assert.Equal(1, Program.Run(new[] { "tag", "--model", "/nonexistent/m.onnx", "a b" }, TextWriter.Null, error));
        Assert.Contains("/nonexistent/m.onnx", error.ToString());
        error = new StringWriter();
        Assert.Equal(1, Program.Run(new[] { "tag", "--model", "/nonexistent/m.zip", "a b" }, TextWriter.Null, error));
        Assert.Contains("/nonexistent/m.zip", error.ToString());
    }

    [Fact]
    public void Export_WithoutOnnxPath_ExitsWith2AndSaysWhy()
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(new[] { "export", "--model", "m.zip" }, TextWriter.Null, error));
        Assert.Contains("export needs --onnx OUT", error.ToString());
    }

    [Fact]
    public void FreezeVectors_WithoutVectors_ExitsWith2AndSaysWhy()
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(new[] { "--freeze-vectors" }, TextWriter.Null, error));
        Assert.Contains("--freeze-vectors needs --vectors FILE", error.ToString());
    }

    [Fact]
    public void Vectors_ReachTheTrainer_AnotherDimensionExitsWith1NamingBothSizes_TheRightOneTrains()
    {
        var folder = Directory.CreateTempSubdirectory("rnnml-tagging-vectors-").FullName;
        try
        {
            var vectors = Path.Combine(folder, "vectors.txt");
            File.WriteAllLines(vectors, new[] { "maria 0.5 -0.25 0.125 1", "flew -0.5 0.25 0 0.5", "to 0.25 0.25 -0.5 -1" });
            var error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { "--vectors", vectors, "--epochs", "1", "--char-encoder", "none", "--model", Path.Combine(folder, "m.zip") }, TextWriter.Null, error));
            Assert.Contains(vectors, error.ToString());
            Assert.Contains("embedding size is 64", error.ToString());

            var output = new StringWriter();
            Assert.Equal(0, Program.Run(new[] { "--vectors", vectors, "--freeze-vectors", "--embedding", "4", "--epochs", "1", "--char-encoder", "none",
                "--model", Path.Combine(folder, "m.zip") }, output, TextWriter.Null));
            Assert.Contains("+ pretrained vectors (frozen)", output.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
