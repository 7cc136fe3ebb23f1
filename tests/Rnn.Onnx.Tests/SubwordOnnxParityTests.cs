using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Tests;
using RnnMl.Onnx.Tests.Support;
using RnnMl.Text;
using RnnMl.Text.Decoding;

namespace RnnMl.Onnx.Tests;

/// <summary>Subword models exported to ONNX: the metadata carries the merges, and the ONNX runners cut text and join
/// translations exactly as the TorchSharp models do.</summary>
public sealed class SubwordOnnxParityTests
{
    private static readonly string[] Texts =
    [
        "the plot was not good", "THE MUSIC WAS NICE", "", "the zebra was not dull at all, really", "the plots were greater", "good",
    ];

    [Fact]
    public void Classifier_Subword_OnnxEqualsTorchSharp()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ToyData.Binary(300, 1));
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions
        {
            HiddenSize = 8, EmbeddingSize = 8, Epochs = 3, BatchSize = 16, LearningRate = 0.01, EarlyStoppingPatience = null, Seed = 1,
            Tokenizer = TokenizerKind.Subword, SubwordVocabularySize = 30,
        }).Fit(train);
        var folder = Directory.CreateDirectory(Seq2SeqOnnxSupport.TempFolder()).FullName;
        try
        {
            var path = Path.Combine(folder, "subword.onnx");
            ml.Model.ExportRnnModelToOnnx(model, path);
            using var onnx = OnnxTextClassifier.Load(path);
            Assert.Equal(TokenizerKind.Subword, onnx.Text.Tokenizer.Kind);
            Assert.Equal(32, onnx.Text.Vocabulary.Count);
            var scored = model.Transform(ml.Data.LoadFromEnumerable(Texts.Select(t => new ToyData.TextRow { Text = t })));
            var expected = Columns(ml, scored);
            var actual = onnx.Predict(Texts);
            for (int i = 0; i < Texts.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i].Probabilities[1]) <= 1e-5, $"'{Texts[i]}': TorchSharp {expected[i]}, ONNX {actual[i].Probabilities[1]}");
            Assert.Contains(Texts, t => onnx.Text.Tokenizer.Tokenize(t).Any(p => !p.EndsWith(SubwordModel.EndOfWordMarker)));   // words are cut
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Translator_Subword_OnnxGreedyAndBeamEqualTorchSharp(bool joint)
    {
        var ml = new MLContext(seed: 1);
        var options = ToyTranslations.Options();
        options.Epochs = 10;
        options.SourceTokenizer = options.TargetTokenizer = TokenizerKind.Subword;
        options.SubwordVocabularySize = 30;
        options.JointSubwordVocabulary = joint;
        using var model = ml.Transforms.Text.TranslateText(options).Fit(ml.Data.LoadFromEnumerable(ToyTranslations.Pairs(300, 1)));
        var folder = Seq2SeqOnnxSupport.TempFolder();
        try
        {
            ml.Model.ExportRnnTranslatorToOnnx(model, folder);
            using var session = Seq2SeqOnnxSupport.StrictOptions();
            using var onnx = OnnxTranslator.Load(folder, session);
            Assert.Equal(TokenizerKind.Subword, onnx.Text.TargetTokenizer.Kind);
            var sources = ToyTranslations.Pairs(30, 2).Select(p => p.Source).Concat(["", "zebra quokka", "dog"]).ToList();
            var torchGreedy = model.Translate(sources, model.Decoding with { BeamWidth = 1 });
            Assert.Equal(torchGreedy, onnx.Translate(sources, new DecodingOptions { BeamWidth = 1 }, batchSize: 7));
            Assert.Equal(model.Translate(sources), onnx.Translate(sources, batchSize: 7));
            Assert.DoesNotContain(torchGreedy, t => t.Contains(SubwordModel.EndOfWordMarker));
            Assert.Contains(torchGreedy, t => t.Length > 0);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static float[] Columns(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<Probability>(scored, reuseRowObject: false).Select(p => p.Value).ToArray();

    private sealed class Probability
    {
        [Microsoft.ML.Data.ColumnName("Probability")]
        public float Value { get; set; }
    }
}
