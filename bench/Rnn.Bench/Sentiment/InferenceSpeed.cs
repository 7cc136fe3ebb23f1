using System.Diagnostics;
using Microsoft.ML;

namespace RnnMl.Bench.Sentiment;

/// <summary>Inference speed of a trained classifier: batch Transform throughput and single-row PredictionEngine latency.</summary>
internal static class InferenceSpeed
{
    /// <summary>Rows per second of a batch Transform over <paramref name="data"/> (median of 5 timed passes after one warm-up).</summary>
    public static double BatchThroughput(ITransformer model, IDataView data, int rows)
    {
        var times = new List<double>();
        for (int rep = 0; rep < 6; rep++)
        {
            var sw = Stopwatch.StartNew();
            var scored = model.Transform(data);
            var score = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor(new[] { score });
            var get = cursor.GetGetter<float>(score);
            float v = 0;
            while (cursor.MoveNext()) get(ref v);
            if (rep > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        return rows / Timing.Median(times);
    }

    /// <summary>Median milliseconds of one PredictionEngine call over the dev rows (after 50 warm-up calls).</summary>
    public static double PredictionLatency(MLContext ml, ITransformer model, List<Sst2.Row> dev)
    {
        using var engine = ml.Model.CreatePredictionEngine<Sst2.Row, Prediction>(model);
        foreach (var row in dev.Take(50)) engine.Predict(row);
        var times = new List<double>(dev.Count);
        foreach (var row in dev)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Predict(row);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Timing.Median(times);
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
