using Microsoft.ML.OnnxRuntime;
using RnnMl.Onnx.Tests.Support;
using static RnnMl.Onnx.Tests.Support.OnnxTestSupport;

namespace RnnMl.Onnx.Tests;

/// <summary>Libtorch-free inference from raw text with an exported model.</summary>
public sealed class OnnxTextClassifierTests(ExportedBinaryModelFixture fixture) : IClassFixture<ExportedBinaryModelFixture>
{
    [Fact]
    public void Predict_RawText_EqualsMlNetTransformer()
    {
        var expected = fixture.MlNetPredictions(ExportedBinaryModelFixture.Texts);
        for (int i = 0; i < expected.Count; i++)
        {
            var p = fixture.Classifier.Predict(ExportedBinaryModelFixture.Texts[i]);
            Assert.True(Math.Abs(p.Probabilities[1] - expected[i].Probability) <= 1e-4,
                $"text '{ExportedBinaryModelFixture.Texts[i]}': ML.NET P(true) {expected[i].Probability}, ONNX {p.Probabilities[1]}");
            Assert.Equal(expected[i].Label, p.PredictedClass == 1);
            Assert.Equal(expected[i].Label ? "True" : "False", p.PredictedLabel);
        }
    }

    [Fact]
    public void Predict_Batch_EqualsOneAtATimeInInputOrder()
    {
        var batched = fixture.Classifier.Predict(ExportedBinaryModelFixture.Texts, batchSize: 3);
        Assert.Equal(ExportedBinaryModelFixture.Texts.Length, batched.Count);
        for (int i = 0; i < batched.Count; i++)
        {
            var single = fixture.Classifier.Predict(ExportedBinaryModelFixture.Texts[i]);
            AssertClose(new[] { single.Scores }, new[] { batched[i].Scores }, 1e-5);
            Assert.Equal(single.PredictedClass, batched[i].PredictedClass);
        }
    }

    [Fact]
    public void Text_StoresTrainingTokenizerVocabularyAndMaximumLength()
    {
        var text = fixture.Classifier.Text;
        Assert.Equal(fixture.Model.Vocabulary!.Tokens, text.Vocabulary.Tokens);
        Assert.Equal(4, text.MaxSequenceLength);
        Assert.True(text.Tokenizer.LowerCase);
        Assert.Equal(new[] { "False", "True" }, text.ClassNames);
        Assert.Equal(2, fixture.Classifier.ClassCount);
    }

    [Fact]
    public void Predict_BatchSizeBelowOne_ThrowsNamingParameterAndValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Classifier.Predict(new[] { "good" }, batchSize: 0));
        Assert.Equal("batchSize", e.ParamName);
        Assert.Contains("got 0", e.Message);
    }

    [Fact]
    public void Score_IdOutsideVocabulary_ThrowsNamingSequencePositionAndId()
    {
        int size = fixture.Classifier.Text.Vocabulary.Count;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Classifier.Score(new[] { new long[] { 2 }, new long[] { 3, size + 6 } }));
        Assert.Equal("sequences", e.ParamName);
        Assert.Contains($"between 0 and {size - 1}, got {size + 6} in sequence 1 at position 1", e.Message);
    }

    [Fact]
    public void Score_EmptyBatch_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => fixture.Classifier.Score(Array.Empty<long[]>()));
        Assert.Equal("sequences", e.ParamName);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(fixture.Folder, "absent.onnx");
        var e = Assert.Throws<FileNotFoundException>(() => OnnxTextClassifier.Load(path));
        Assert.Contains("absent.onnx", e.Message);
    }

    [Fact]
    public void Load_FileOnnxRuntimeRefuses_ThrowsInvalidDataWithRuntimeError()
    {
        var bytes = File.ReadAllBytes(fixture.OnnxPath);
        var path = Path.Combine(fixture.Folder, "truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxTextClassifier.Load(path));
        Assert.IsType<OnnxRuntimeException>(e.InnerException);
        Assert.Contains("truncated.onnx", e.Message);
    }

    [Fact]
    public void Load_BareGraphWithoutTextSettings_ThrowsNamingMissingEntry()
    {
        var path = Path.Combine(fixture.Folder, "bare.onnx");
        RnnMl.Export.OnnxExporter.Export(fixture.Model.Model, path);
        var e = Assert.Throws<InvalidDataException>(() => OnnxTextClassifier.Load(path));
        Assert.Contains("rnnml.format", e.Message);
    }

    [Fact]
    public void Predict_IllFormedUtf16_EqualsMlNetTransformerAndTheReplacementCharacter()
    {
        // Lone surrogates and non-characters become U+FFFD on both paths (the shared tokenizer), so the scores agree.
        var texts = new[] { "the plot was \uD800 good", "the cast \uFFFE was awful \uDC00", "\uFDD0" };
        var expected = fixture.MlNetPredictions(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var p = fixture.Classifier.Predict(texts[i]);
            Assert.True(Math.Abs(p.Probabilities[1] - expected[i].Probability) <= 1e-4, $"text {i}: ML.NET P(true) {expected[i].Probability}, ONNX {p.Probabilities[1]}");
            Assert.Equal(fixture.Classifier.Predict(RnnMl.Text.Tokenizer.ReplaceIllFormed(texts[i])).Scores, p.Scores);
        }
    }
}
