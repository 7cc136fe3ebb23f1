using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Tests;
using RnnMl.MLNet.Translation;
using RnnMl.Onnx.Tests.Support;
using RnnMl.Text.Decoding;
using RnnMl.Text.Export;
using RnnMl.Torch.Models;

namespace RnnMl.Onnx.Tests;

/// <summary>A translator trained briefly through ML.NET on the toy reverse-and-translate task, exported once.</summary>
public sealed class TrainedTranslatorFixture : IDisposable
{
    public TrainedTranslatorFixture()
    {
        Ml = new MLContext(seed: 1);
        var options = ToyTranslations.Options();
        options.Epochs = 10;
        options.Attention = AttentionKind.Bahdanau;
        options.DecoderCell = RnnMl.Torch.Layers.RecurrentCellKind.Lstm;
        options.InputFeeding = true;
        Model = Ml.Transforms.Text.TranslateText(options).Fit(Ml.Data.LoadFromEnumerable(ToyTranslations.Pairs(300, 1)));
        Test = ToyTranslations.Pairs(40, 2);
        Folder = Seq2SeqOnnxSupport.TempFolder();
        Ml.Model.ExportRnnTranslatorToOnnx(Model, Folder);
    }

    public MLContext Ml { get; }
    public RecurrentTranslatorTransformer Model { get; }
    internal List<ToyTranslations.Pair> Test { get; }
    public string Folder { get; }

    public void Dispose()
    {
        Model.Dispose();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}

/// <summary><c>ExportRnnTranslatorToOnnx</c> and <see cref="OnnxTranslator"/> translate exactly as the TorchSharp translator.</summary>
public sealed class TranslatorOnnxExportTests : IClassFixture<TrainedTranslatorFixture>
{
    private readonly TrainedTranslatorFixture fixture;

    public TranslatorOnnxExportTests(TrainedTranslatorFixture fixture) => this.fixture = fixture;

    [Fact]
    public void Translate_TrainedModel_GreedyAndBeamEqualTorchSharp()
    {
        using var options = Seq2SeqOnnxSupport.StrictOptions();
        using var onnx = OnnxTranslator.Load(fixture.Folder, options);
        var sources = fixture.Test.Select(p => p.Source).ToList();
        var greedy = fixture.Model.Decoding with { BeamWidth = 1 };
        var torchGreedy = fixture.Model.Translate(sources, greedy);
        var torchBeam = fixture.Model.Translate(sources);
        Assert.Equal(torchGreedy, onnx.Translate(sources, new DecodingOptions { BeamWidth = 1 }, batchSize: 7));
        // The exported defaults are the translator's (beam width 3), so the default call is beam search.
        Assert.Equal(3, onnx.Text.Decoding.BeamWidth);
        Assert.Equal(torchBeam, onnx.Translate(sources, batchSize: 7));
        // The model has learnt something, so the comparison is between real translations, not empty ones.
        int correct = fixture.Test.Zip(torchBeam).Count(p => p.First.Target == p.Second);
        Assert.True(correct >= fixture.Test.Count / 4, $"only {correct} of {fixture.Test.Count} toy sentences translated correctly");
    }

    [Fact]
    public void Export_WritesTwoGraphsThatStrictInferenceAccepts()
    {
        foreach (var file in new[] { Seq2SeqGraphNames.EncoderFile, Seq2SeqGraphNames.DecoderFile })
        {
            using var options = Seq2SeqOnnxSupport.StrictOptions();
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(fixture.Folder, file), options);
            Assert.NotEmpty(session.OutputMetadata);
        }
    }

    [Fact]
    public void ExportRnnModelToOnnx_OnTranslator_PointsToTheTranslatorExport()
    {
        var e = Assert.Throws<ArgumentException>(() => fixture.Ml.Model.ExportRnnModelToOnnx(fixture.Model, Path.Combine(fixture.Folder, "x.onnx")));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("ExportRnnTranslatorToOnnx", e.Message);
    }
}
