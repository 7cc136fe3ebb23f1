using System.Diagnostics;
using RnnMl.Torch.Layers;
using TorchSharp;

namespace RnnMl.Bench;

/// <summary>
/// Leak check: trains a 1-layer LSTM with the composed backend (forward, loss, backward, SGD step, each step in its own
/// dispose scope) and reads the resident set size after a full GC at two points. Steady memory means no tensor or
/// graph outlives its step.
/// </summary>
internal static class MemoryCheck
{
    /// <summary>Runs <paramref name="totalSteps"/> steps; returns RSS in MiB after step <paramref name="firstSample"/> and after the last step.</summary>
    public static (double FirstMb, double LastMb) Run(RecurrentConfig shape, int firstSample = 20, int totalSteps = 200)
    {
        torch.manual_seed(ContenderSet.Seed);
        using var layer = Lstm.Create(shape.InputSize, shape.HiddenSize, backend: RecurrentBackend.Composed);
        using var input = torch.randn(shape.Steps, shape.Batch, shape.InputSize);
        using var optimizer = torch.optim.SGD(layer.parameters(), learningRate: 0.01);
        layer.train();

        double first = 0;
        for (int step = 1; step <= totalSteps; step++)
        {
            using (torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = layer.forward(input).Output.mean();
                loss.backward();
                optimizer.step();
            }
            if (step == firstSample) first = RssMb();
        }
        return (first, RssMb());
    }

    private static double RssMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }
}
