using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RnnMl.Text.Internal;

/// <summary>
/// Temporary files of atomic saves (model zips, ONNX files): written beside the target as
/// <c>.NAME.GUID.rnnml.tmp</c> and moved over it at the end. A save killed before the move (kill -9, power loss) leaves its
/// temporary file behind; <see cref="RemoveStale"/> deletes, in the target's folder, files of this pattern (and the
/// <c>.NAME.GUID.tmp</c> of earlier versions for the same target) that were last written before this process started, so
/// a save in progress in this process is never touched.
/// </summary>
internal static partial class TempFiles
{
    /// <summary>What every temporary file ends with.</summary>
    public const string Suffix = ".rnnml.tmp";

    private static readonly DateTime ProcessStart = StartTime();

    /// <summary>A fresh temporary path beside <paramref name="fullPath"/>.</summary>
    public static string Beside(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{Suffix}");

    /// <summary>Deletes stale temporary files of interrupted saves in <paramref name="fullPath"/>'s folder; returns how many.
    /// Files that cannot be deleted are left alone.</summary>
    public static int RemoveStale(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        var legacyPrefix = $".{Path.GetFileName(fullPath)}.";
        int removed = 0;
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(directory, ".*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var path in candidates)
        {
            var name = Path.GetFileName(path);
            bool ours = Pattern().IsMatch(name) || (name.StartsWith(legacyPrefix, StringComparison.Ordinal) && LegacyPattern().IsMatch(name));
            if (!ours) continue;
            try
            {
                if (File.GetLastWriteTimeUtc(path) >= ProcessStart) continue;
                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.rnnml\.tmp$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex LegacyPattern();

    private static DateTime StartTime()
    {
        try
        {
            using var self = Process.GetCurrentProcess();
            return self.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return DateTime.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64);
        }
    }
}
