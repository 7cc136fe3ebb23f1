using System.Diagnostics;
using System.Reflection;
using RnnMl.Torch.Layers;

namespace RnnMl.Bench;

/// <summary>Warns on stderr when the benchmark or the library under test was built without optimisation.</summary>
internal static class BuildCheck
{
    public static void WarnIfDebug()
    {
#if DEBUG
        const bool benchDebug = true;
#else
        const bool benchDebug = false;
#endif
        var unoptimised = new List<string>();
        if (benchDebug || IsJitOptimizerDisabled(typeof(BuildCheck).Assembly)) unoptimised.Add("Rnn.Bench");
        if (IsJitOptimizerDisabled(typeof(RecurrentLayer).Assembly)) unoptimised.Add("Rnn.Torch");
        if (unoptimised.Count > 0)
            Console.Error.WriteLine($"warning: {string.Join(" and ", unoptimised)} built in Debug (JIT optimisation off); "
                + "numbers are not representative. Use: dotnet run -c Release --project bench/Rnn.Bench -- <subcommand>");
    }

    private static bool IsJitOptimizerDisabled(Assembly assembly)
        => assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false;
}
