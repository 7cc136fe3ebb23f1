using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Generation;
using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Tests;

/// <summary>
/// A word-level language model trained once on unlabelled sentences in which 40 made-up words are followed, a few words
/// later, by a positive or a negative word ("the film was kiv and so superb"); saved with SaveRnnModel.
/// </summary>
public sealed class TransferFixture : IDisposable
{
    public const int Embedding = 16, Hidden = 32;
    private static readonly string[] Good = { "great", "superb", "lovely" }, Bad = { "awful", "dreadful", "boring" };
    private static readonly string[] Frames = { "the film was {0}", "i found it {0}", "honestly , it was {0}" };

    public TransferFixture()
    {
        var random = new Random(5);
        // 20 positive and 20 negative made-up words, interleaved: word i is positive when i is even.
        Words = Enumerable.Range(0, 40).Select(i => "w" + (char)('a' + i / 26) + (char)('a' + i % 26) + "x").ToArray();
        var lines = new List<string>();
        for (int i = 0; i < 3000; i++)
        {
            int w = random.Next(Words.Length);
            var end = (w % 2 == 0 ? Good : Bad)[random.Next(3)];
            lines.Add(string.Format(Frames[random.Next(Frames.Length)], Words[w]) + $" and so {end} .");
        }
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(lines.Select(l => new GeneratorRow { Text = l }));
        using var lm = ml.Transforms.Text.GenerateText(new RecurrentTextGeneratorOptions
        {
            Tokenizer = TokenizerKind.Word, EmbeddingSize = Embedding, HiddenSize = Hidden, Epochs = 20, Streams = 16, BpttSteps = 20,
            LearningRate = 0.01, Seed = 1, EarlyStoppingPatience = null,
        }).Fit(data);
        LmPath = Path.Combine(Path.GetTempPath(), $"rnnml-lm-{Guid.NewGuid():N}.zip");
        ml.Model.SaveRnnModel(lm, data.Schema, LmPath);
    }

    public string[] Words { get; }
    public string LmPath { get; }

    /// <summary>Labelled rows "frame + word" for the given words; label = the word's polarity.</summary>
    internal IEnumerable<ToyData.BinaryRow> Rows(IEnumerable<int> words) =>
        from w in words from f in Frames select new ToyData.BinaryRow { Text = string.Format(f, Words[w]), Label = w % 2 == 0 };

    public void Dispose() => File.Delete(LmPath);
}

/// <summary>ULMFiT transfer into the classifier (<see cref="RecurrentTextClassifierOptions.PretrainedLanguageModel"/>).</summary>
public sealed class LanguageModelTransferTests(TransferFixture lm) : IClassFixture<TransferFixture>
{
    private RecurrentTextClassifierOptions Options(int epochs, string? path) => new()
    {
        PretrainedLanguageModel = path, Bidirectional = false, EmbeddingSize = TransferFixture.Embedding, HiddenSize = TransferFixture.Hidden,
        Epochs = epochs, BatchSize = 8, ValidationFraction = 0, LearningRate = 0.01, Seed = 1, EarlyStoppingPatience = null, Pooling = PoolingKind.Last,
        // The recipe these tests were written for (before the classifier's AdamW + linear-decay defaults).
        Optimizer = RnnMl.Torch.Training.OptimizerKind.Adam, WeightDecay = 0, Schedule = RnnMl.Torch.Training.LearningRateSchedule.Constant,
    };

    private static Dictionary<string, float[]> Weights(nn.Module m, string prefix) =>
        m.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.name[prefix.Length..], p => p.parameter.detach().cpu().data<float>().ToArray());

    private RecurrentTextClassifierTransformer Fit(RecurrentTextClassifierOptions options, IEnumerable<ToyData.BinaryRow> rows)
    {
        var ml = new MLContext(seed: 1);
        return ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(rows.ToList()));
    }

    [Fact]
    public void StartsFromTheLanguageModel_AndFrozenGroupsDoNotMoveInTheirFrozenEpochs()
    {
        var ml = new MLContext(seed: 1);
        using var loaded = (RecurrentTextGeneratorTransformer)ml.Model.LoadRnnModel(lm.LmPath, out _);
        var lmEmbedding = Weights(loaded.Model, "embedding.")["weight"];
        var lmEncoder = Weights(loaded.Model, "recurrent.");
        var train = lm.Rows(Enumerable.Range(0, 12)).ToList();

        // Epoch 0 trains the head alone: the embedding and the encoder are still the language model's.
        using (var one = Fit(Options(1, lm.LmPath), train))
        {
            Assert.Equal(loaded.TextStream.Vocabulary.Count, one.Vocabulary!.Count);
            Assert.Equal(lmEmbedding, Weights(one.Model, "embedding.")["weight"]);
            var encoder = Weights(one.Model, "encoder.");
            Assert.Equal(lmEncoder.Keys.Order(), encoder.Keys.Order());
            foreach (var (name, values) in lmEncoder) Assert.Equal(values, encoder[name]);
        }
        // Epoch 1 unfreezes the encoder; the embedding waits for epoch 2.
        using var two = Fit(Options(2, lm.LmPath), train);
        Assert.Equal(lmEmbedding, Weights(two.Model, "embedding.")["weight"]);
        Assert.NotEqual(lmEncoder["weight_hh_l0"], Weights(two.Model, "encoder.")["weight_hh_l0"]);
    }

    [Fact]
    public void Pretraining_ClassifiesWordsTheLabelledSetNeverHad()
    {
        // 6 positive and 6 negative words labelled; the other 28 words only in the test rows.
        var train = lm.Rows(Enumerable.Range(0, 12)).ToList();
        var test = lm.Rows(Enumerable.Range(12, 28)).ToList();
        Assert.Empty(test.Select(r => r.Text).Intersect(train.Select(r => r.Text)));
        var ml = new MLContext(seed: 1);
        double Accuracy(RecurrentTextClassifierTransformer model) =>
            ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test))).Accuracy;

        using var transferred = Fit(Options(12, lm.LmPath), train);
        using var scratch = Fit(Options(12, null), train);
        double withLm = Accuracy(transferred), without = Accuracy(scratch);

        Assert.True(withLm >= 0.85, $"with the language model {withLm:P1} (from scratch {without:P1})");
        Assert.True(without <= 0.65, $"from scratch {without:P1}: the test words should be unknown to it");
    }

    [Fact]
    public void ArchitectureMismatches_NameTheOptionAndBothValues()
    {
        var rows = lm.Rows(Enumerable.Range(0, 4)).ToList();
        var bi = Options(1, lm.LmPath);
        bi.Bidirectional = true;
        var e = Assert.Throws<ArgumentException>(() => Fit(bi, rows));
        Assert.Equal(nameof(bi.Bidirectional), e.ParamName);

        var wide = Options(1, lm.LmPath);
        wide.HiddenSize = 7;
        e = Assert.Throws<ArgumentException>(() => Fit(wide, rows));
        Assert.Equal(nameof(wide.HiddenSize), e.ParamName);
        Assert.Contains("7", e.Message);
        Assert.Contains(TransferFixture.Hidden.ToString(), e.Message);

        var gru = Options(1, lm.LmPath);
        gru.Cell = RecurrentCellKind.Gru;
        e = Assert.Throws<ArgumentException>(() => Fit(gru, rows));
        Assert.Contains("Gru", e.Message);
        Assert.Contains("Lstm", e.Message);

        // A saved classifier is not a language model.
        var notLm = Path.Combine(Path.GetTempPath(), $"rnnml-not-lm-{Guid.NewGuid():N}.zip");
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            using (var classifier = Fit(Options(1, null), rows)) ml.Model.SaveRnnModel(classifier, data.Schema, notLm);
            var bad = Assert.Throws<InvalidDataException>(() => Fit(Options(1, notLm), rows));
            Assert.Contains("language model", bad.Message);
            Assert.Contains(nameof(RecurrentTextClassifierTransformer), bad.Message);
        }
        finally
        {
            File.Delete(notLm);
        }

        var missing = Options(1, Path.Combine(Path.GetTempPath(), $"no-such-lm-{Guid.NewGuid():N}.zip"));
        Assert.Throws<FileNotFoundException>(() => Fit(missing, rows));
    }

    [Fact]
    public void Groups_HeadFirst_EachLowerGroupAtTheRateDividedByTheFactor_UnfrozenOneEpochLater()
    {
        using var model = SequenceClassifier.Create(new SequenceClassifierOptions
        {
            VocabularySize = 11, ClassCount = 2, EmbeddingSize = 4, HiddenSize = 3, NumLayers = 2, Bidirectional = false,
        });

        var groups = LanguageModelTransfer.Groups(model, factor: 2.6, gradual: true);

        Assert.Equal(new[] { "head", "encoder layer 1", "encoder layer 0", "embedding" }, groups.Select(g => g.Name));
        Assert.Equal(new[] { 1, 1 / 2.6, 1 / (2.6 * 2.6), 1 / (2.6 * 2.6 * 2.6) }, groups.Select(g => g.LearningRateFactor), new Tolerance());
        Assert.Equal(new[] { 0, 1, 2, 3 }, groups.Select(g => g.UnfreezeEpoch));
        // Every parameter in exactly one group; the layer-1 group holds only layer-1 weights.
        var all = model.parameters().ToList();
        Assert.Equal(all.Count, groups.Sum(g => g.Parameters.Count));
        Assert.Equal(all.Count, groups.SelectMany(g => g.Parameters).Distinct().Count());
        var layer1 = model.Encoder.named_parameters().Where(p => p.name.EndsWith("_l1", StringComparison.Ordinal)).Select(p => p.parameter);
        Assert.Equal(layer1.ToHashSet(), groups[1].Parameters.ToHashSet());

        Assert.All(LanguageModelTransfer.Groups(model, 1, gradual: false), g => { Assert.Equal(1, g.LearningRateFactor); Assert.Equal(0, g.UnfreezeEpoch); });
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-12;
        public int GetHashCode(double d) => 0;
    }
}
