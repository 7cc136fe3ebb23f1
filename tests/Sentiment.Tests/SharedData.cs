namespace RnnMl.Samples.Sentiment.Tests;

/// <summary>Finds files under <c>../shared/</c> beside the repository root (present on developer and CI machines only).</summary>
internal static class SharedData
{
    public static string? File(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!System.IO.File.Exists(Path.Combine(dir.FullName, "RnnMl.sln"))) continue;
            var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", relative));
            return System.IO.File.Exists(candidate) ? candidate : null;
        }
        return null;
    }
}
