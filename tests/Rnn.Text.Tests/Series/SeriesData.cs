namespace RnnMl.Text.Tests.Series;

/// <summary>Finds files under <c>../shared/</c> beside the repository root (present on developer and CI machines only).</summary>
internal static class SeriesData
{
    public const string EttH1 = "datasets/ett/ETTh1.csv";

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

/// <summary>A fact that is skipped, with a message saying what is missing, when its file under <c>../shared/</c> is absent.</summary>
public sealed class SharedSeriesFactAttribute : FactAttribute
{
    public SharedSeriesFactAttribute(string relativePath)
    {
        if (SeriesData.File(relativePath) is null)
            Skip = $"../shared/{relativePath} is absent; it sits beside the repository on developer and CI machines";
    }
}
