using RnnMl.Export;
using RnnMl.Text;
using RnnMl.Text.Export;
using RnnMl.Torch.Layers;
using static RnnMl.Onnx.Tests.Support.OnnxTestSupport;

namespace RnnMl.Onnx.Tests;

/// <summary>Bad arguments to the exporter and to the text settings fail with ArgumentException-family errors naming parameter and values.</summary>
public sealed class OnnxExporterValidationTests
{
    private static Vocabulary VocabularyOf(int size) =>
        Vocabulary.FromTokens(new[] { Vocabulary.PaddingToken, Vocabulary.UnknownToken }.Concat(Enumerable.Range(0, size - 2).Select(i => "w" + i)).ToList());

    [Fact]
    public void Export_VocabularyOfWrongSize_ThrowsNamingBothSizes()
    {
        using var model = Model(RecurrentCellKind.Gru, 1, false);
        var text = new TextModelInfo(Tokenizer.Create(), VocabularyOf(7));
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new MemoryStream(), text));
        Assert.Equal("text", e.ParamName);
        Assert.Contains($"{VocabularySize} token ids, got 7", e.Message);
    }

    [Fact]
    public void Export_WrongNumberOfClassNames_ThrowsNamingBothCounts()
    {
        using var model = Model(RecurrentCellKind.Gru, 1, false);
        var text = new TextModelInfo(Tokenizer.Create(), VocabularyOf(VocabularySize), new[] { "a", "b" });
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new MemoryStream(), text));
        Assert.Equal("text", e.ParamName);
        Assert.Contains("model's 3 classes, got 2", e.Message);
    }

    [Fact]
    public void Export_ReadOnlyStream_ThrowsNamingDestination()
    {
        using var model = Model(RecurrentCellKind.Rnn, 1, false);
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new MemoryStream(new byte[8], writable: false)));
        Assert.Equal("destination", e.ParamName);
    }

    [Fact]
    public void Export_NullModel_ThrowsArgumentNull()
    {
        var e = Assert.Throws<ArgumentNullException>(() => OnnxExporter.Export((RnnMl.Torch.Models.SequenceClassifier)null!, new MemoryStream()));
        Assert.Equal("model", e.ParamName);
    }

    [Fact]
    public void Export_MissingFolder_ThrowsDirectoryNotFoundAndWritesNothing()
    {
        using var model = Model(RecurrentCellKind.Rnn, 1, false);
        var folder = Path.Combine(Path.GetTempPath(), "rnnml-absent-" + Guid.NewGuid().ToString("N"));
        Assert.Throws<DirectoryNotFoundException>(() => OnnxExporter.Export(model, Path.Combine(folder, "m.onnx")));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void TextModelInfo_MaximumLengthBelowOne_ThrowsNamingValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TextModelInfo(Tokenizer.Create(), VocabularyOf(5), maxSequenceLength: 0));
        Assert.Equal("maxSequenceLength", e.ParamName);
        Assert.Contains("got 0", e.Message);
    }

    [Fact]
    public void TextModelInfo_OneClassName_ThrowsNamingCount()
    {
        var e = Assert.Throws<ArgumentException>(() => new TextModelInfo(Tokenizer.Create(), VocabularyOf(5), new[] { "only" }));
        Assert.Equal("classNames", e.ParamName);
        Assert.Contains("got 1", e.Message);
    }

    [Fact]
    public void TextModelInfo_MetadataRoundTrip_KeepsEverySetting()
    {
        var info = new TextModelInfo(Tokenizer.Create(TokenizerKind.Character, lowerCase: false, TextNormalization.NFC), VocabularyOf(9), new[] { "neg", "pos" }, 12);
        var back = TextModelInfo.FromMetadata(info.ToMetadata());
        Assert.Equal(TokenizerKind.Character, back.Tokenizer.Kind);
        Assert.False(back.Tokenizer.LowerCase);
        Assert.Equal(TextNormalization.NFC, back.Tokenizer.Normalization);
        Assert.Equal(info.Vocabulary.Tokens, back.Vocabulary.Tokens);
        Assert.Equal(new[] { "neg", "pos" }, back.ClassNames);
        Assert.Equal(12, back.MaxSequenceLength);
    }

    [Theory]
    [InlineData("rnnml.tokenizer", "Sentence", "Word, Character")]
    [InlineData("rnnml.lower_case", "maybe", "true or false")]
    [InlineData("rnnml.max_sequence_length", "-3", "at least 1, got '-3'")]
    [InlineData("rnnml.format_version", "9", "got '9'")]
    public void TextModelInfo_BadMetadataValue_ThrowsInvalidDataNamingKeyAndValue(string key, string value, string expected)
    {
        var map = new Dictionary<string, string>(new TextModelInfo(Tokenizer.Create(), VocabularyOf(5)).ToMetadata()) { [key] = value };
        var e = Assert.Throws<InvalidDataException>(() => TextModelInfo.FromMetadata(map));
        Assert.Contains(key, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
