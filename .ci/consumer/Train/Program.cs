// Consumer test, app 1 (references RnnMl.MLNet and libtorch-cpu from the packed feed only).
//   train  DIR: trains a tiny binary classifier through mlContext.BinaryClassification.Trainers.RecurrentTextClassifier,
//               evaluates it, saves it with SaveRnnModel, exports it to ONNX, and writes its probabilities for the test
//               texts to DIR/scores-train.txt; prints "train_acc=…".
//   reload DIR: in a second process, loads DIR/model.zip with LoadRnnModel and writes DIR/scores-reload.txt.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Training;

if (args.Length != 2 || args[0] is not ("train" or "reload"))
{
    Console.Error.WriteLine("usage: Train train|reload DIR");
    return 2;
}
var dir = args[1];
var ml = new MLContext(seed: 1);
var test = Reviews.Make(64, seed: 2);
var model = args[0] == "train" ? Train(ml, dir) : ml.Model.LoadRnnModel(Path.Combine(dir, "model.zip"), out _);
var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
var probabilities = scored.GetColumn<float>("Probability").ToArray();
File.WriteAllLines(Path.Combine(dir, $"scores-{args[0]}.txt"), probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)));
File.WriteAllLines(Path.Combine(dir, "texts.txt"), test.Select(r => r.Text));
return 0;

static ITransformer Train(MLContext ml, string dir)
{
    var train = ml.Data.LoadFromEnumerable(Reviews.Make(256, seed: 1));
    // A toy recipe: Adam at a constant rate (the defaults, AdamW with a decaying rate, were chosen on real data sets).
    var options = new RecurrentTextClassifierOptions
    {
        EmbeddingSize = 8, HiddenSize = 8, Epochs = 8, BatchSize = 16, LearningRate = 0.02, EarlyStoppingPatience = null,
        Optimizer = OptimizerKind.Adam, WeightDecay = 0, Schedule = LearningRateSchedule.Constant,
    };
    var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(train);
    var metrics = ml.BinaryClassification.Evaluate(model.Transform(train));
    ml.Model.SaveRnnModel(model, train.Schema, Path.Combine(dir, "model.zip"));
    ml.Model.ExportRnnModelToOnnx(model, Path.Combine(dir, "model.onnx"));
    Console.WriteLine($"train_acc={metrics.Accuracy.ToString("0.000", CultureInfo.InvariantCulture)}");
    return model;
}

/// <summary>"the plot was good" / "the plot was not good": only word order decides the label.</summary>
internal sealed class Reviews
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }

    public static List<Reviews> Make(int count, int seed)
    {
        string[] good = { "good", "great", "fine", "nice" }, bad = { "bad", "poor", "awful", "dull" }, nouns = { "film", "plot", "cast", "music" };
        var r = new Random(seed);
        var rows = new List<Reviews>();
        for (int i = 0; i < count; i++)
        {
            bool positive = r.Next(2) == 0, negate = r.Next(2) == 0;
            var word = positive ? good[r.Next(4)] : bad[r.Next(4)];
            rows.Add(new Reviews { Text = $"the {nouns[r.Next(4)]} was {(negate ? "not " : "")}{word}", Label = positive != negate });
        }
        return rows;
    }
}
