using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Tests;

namespace RnnMl.Onnx.Tests.Support;

/// <summary>A tiny binary classifier trained once through ML.NET on <see cref="ToyData.Binary"/>, saved, and exported to ONNX.</summary>
public sealed class ExportedBinaryModelFixture : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rnnml-onnx-tests-" + Guid.NewGuid().ToString("N"));

    public ExportedBinaryModelFixture()
    {
        Directory.CreateDirectory(folder);
        Ml = new MLContext(seed: 1);
        var train = Ml.Data.LoadFromEnumerable(ToyData.Binary(300, 1));
        Model = Ml.BinaryClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions
        {
            HiddenSize = 8, EmbeddingSize = 8, Epochs = 3, BatchSize = 16, LearningRate = 0.01, EarlyStoppingPatience = null,
            Seed = 1, MaxSequenceLength = 4,
            // The fixture's recipe predates the classifier's AdamW + linear-decay defaults; pinned so the model stays the same.
            Optimizer = RnnMl.Torch.Training.OptimizerKind.Adam, WeightDecay = 0, Schedule = RnnMl.Torch.Training.LearningRateSchedule.Constant,
        }).Fit(train);
        Schema = train.Schema;
        ModelPath = Path.Combine(folder, "model.zip");
        Ml.Model.SaveRnnModel(Model, Schema, ModelPath);
        OnnxPath = Path.Combine(folder, "model.onnx");
        Ml.Model.ExportRnnModelToOnnx(Model, OnnxPath);
        Classifier = OnnxTextClassifier.Load(OnnxPath);
    }

    public MLContext Ml { get; }
    public RecurrentTextClassifierTransformer Model { get; }
    public DataViewSchema Schema { get; }
    public string ModelPath { get; }
    public string OnnxPath { get; }
    public OnnxTextClassifier Classifier { get; }
    public string Folder => folder;

    /// <summary>Texts with unknown words, an empty text, and texts longer than the maximum length (4 tokens).</summary>
    public static readonly string[] Texts =
    {
        "the plot was not good", "the cast was awful", "", "THE MUSIC WAS NICE", "the zebra was not dull at all, really",
        "good", "the film was fine", "not bad",
    };

    /// <summary>ML.NET's binary outputs for <paramref name="texts"/> through the TorchSharp model.</summary>
    public List<(float Probability, bool Label)> MlNetPredictions(IEnumerable<string> texts)
    {
        var scored = Model.Transform(Ml.Data.LoadFromEnumerable(texts.Select(t => new ToyData.TextRow { Text = t })));
        return Ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).Select(p => (p.Probability, p.PredictedLabel)).ToList();
    }

    public void Dispose()
    {
        Classifier.Dispose();
        Model.Dispose();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private sealed class Prediction
    {
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
