using System.Diagnostics;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;

namespace RnnMl.Bench.Sentiment;

/// <summary>Trains the library's classifier (through ML.NET) or ML.NET's bag of words on rows and scores test rows.</summary>
internal static class LibraryRun
{
    /// <summary>Accuracy on <paramref name="test"/>, Fit's wall time, and the trained model (the caller disposes it).</summary>
    public static (double Accuracy, double Seconds, RecurrentTextClassifierTransformer Model) Recurrent(
        MLContext ml, RecurrentTextClassifierOptions options, List<Sst2.Row> train, List<Sst2.Row> test)
    {
        var sw = Stopwatch.StartNew();
        var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(train));
        double seconds = sw.Elapsed.TotalSeconds;
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test)));
        return (metrics.Accuracy, seconds, model);
    }

    /// <summary>ML.NET's bag of words (FeaturizeText + SdcaLogisticRegression): accuracy on <paramref name="test"/> and Fit's wall time.</summary>
    public static (double Accuracy, double Seconds) BagOfWords(MLContext ml, List<Sst2.Row> train, List<Sst2.Row> test)
    {
        var sw = Stopwatch.StartNew();
        var model = ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(ml.Data.LoadFromEnumerable(train));
        double seconds = sw.Elapsed.TotalSeconds;
        return (ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test))).Accuracy, seconds);
    }

    /// <summary>The mean accuracy of the library's classifier over the UCI cross-domain splits, and the total Fit time.</summary>
    public static (double Accuracy, double Seconds, IReadOnlyList<double> PerDomain) UciRecurrent(
        MLContext ml, Func<RecurrentTextClassifierOptions> options, List<(string TestDomain, List<Sst2.Row> Train, List<Sst2.Row> Test)> splits)
    {
        var scores = new List<double>();
        double seconds = 0;
        foreach (var (_, train, test) in splits)
        {
            var (accuracy, s, model) = Recurrent(ml, options(), train, test);
            model.Dispose();
            scores.Add(accuracy);
            seconds += s;
        }
        return (scores.Average(), seconds, scores);
    }
}
