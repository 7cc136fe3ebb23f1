using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Support;

/// <summary>Runs a computation many times while another thread collects garbage in a loop (the <c>PinnedScalars</c>
/// guard): counts the calls that threw and those whose result differs from the first call's.</summary>
internal static class UnderCollection
{
    /// <summary>Calls <paramref name="once"/> <paramref name="count"/> times against a collecting thread.</summary>
    /// <returns>The failed calls, the results not bit-identical to the reference (a call made before the collector
    /// starts), and the first failure's first line.</returns>
    public static (int Failures, int Different, string? First) Run(Func<Tensor> once, int count)
    {
        using var reference = once();
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        });
        collector.Start();
        int failures = 0, different = 0;
        string? first = null;
        try
        {
            for (int k = 0; k < count; k++)
            {
                try
                {
                    using var result = once();
                    if (!result.allclose(reference, rtol: 0, atol: 0)) different++;
                }
                catch (Exception e)
                {
                    failures++;
                    first ??= e.Message.Split('\n')[0];
                }
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        return (failures, different, first);
    }
}
