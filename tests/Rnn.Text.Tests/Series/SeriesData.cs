namespace RnnMl.Text.Tests.Series;

/// <summary>Paths of the real series under <c>../shared/</c> (found and skipped through <c>SharedData</c>).</summary>
internal static class SeriesData
{
    public const string EttH1 = "datasets/ett/ETTh1.csv";
}
