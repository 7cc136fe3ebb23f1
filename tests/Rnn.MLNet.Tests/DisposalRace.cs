namespace RnnMl.MLNet.Tests;

/// <summary>Races a type's use against its <c>Dispose</c> (shared by Rnn.MLNet.Tests and Rnn.Onnx.Tests, linked there).</summary>
internal static class DisposalRace
{
    /// <summary>Runs <paramref name="use"/> in a loop on three threads, disposes after 300 ms, and returns how each thread ended.</summary>
    public static Exception?[] Race(Action use, Action dispose)
    {
        var outcomes = new Exception?[3];
        var threads = Enumerable.Range(0, outcomes.Length).Select(k => new Thread(() =>
        {
            try { for (int i = 0; i < 200_000; i++) use(); }
            catch (Exception e) { outcomes[k] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        Thread.Sleep(300);
        dispose();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a thread did not stop after Dispose");
        return outcomes;
    }
}
