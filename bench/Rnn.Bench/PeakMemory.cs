namespace RnnMl.Bench;

/// <summary>
/// The process's peak resident set size (Linux <c>VmHWM</c>), resettable so that one phase of a run (training, beam
/// search) can be measured on its own: writing 5 to <c>/proc/self/clear_refs</c> resets the high-water mark to the
/// current RSS (Linux ≥ 4.0). Elsewhere the peak is unknown and reported as −1.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Collects garbage (so that finalizable tensors go) and resets the high-water mark; false if it cannot.</summary>
    public static bool Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Peak RSS in MB since the last <see cref="Reset"/> (or process start); −1 where /proc is missing.</summary>
    public static double PeakMegabytes() => Read("VmHWM:");

    /// <summary>Current RSS in MB; −1 where /proc is missing.</summary>
    public static double CurrentMegabytes() => Read("VmRSS:");

    private static double Read(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return -1;
    }
}
