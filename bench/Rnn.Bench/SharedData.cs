namespace RnnMl.Bench;

/// <summary>Finds <c>../shared/</c> beside the repository root, where the benchmark data sets live (never copied into the repository).</summary>
internal static class SharedData
{
    /// <summary>The folder <paramref name="relative"/> under <c>../shared/</c>, or null with the places searched in <paramref name="searched"/>.</summary>
    public static string? Find(string relative, out string searched)
    {
        var tried = new List<string>();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "RnnMl.sln"))) continue;
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", relative));
                tried.Add(candidate);
                if (Directory.Exists(candidate))
                {
                    searched = candidate;
                    return candidate;
                }
            }
        }
        searched = tried.Count == 0 ? "(no RnnMl.sln above the current or the program's folder)" : string.Join(", ", tried.Distinct());
        return null;
    }
}
