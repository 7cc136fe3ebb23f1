using RnnMl.Samples.Sentiment.Tests;
using RnnMl.Text.Series;

namespace RnnMl.Text.Tests.Series;

public class ForecastSeriesTests
{
    private static TimeSeries Csv(string text, bool forwardFill = false) =>
        TimeSeries.FromCsv(new StringReader(text), "date", forwardFill);

    [Fact]
    public void CsvSkipsTimeColumnAndReadsChannels()
    {
        var s = Csv("date,a,b\n2020-01-01,1,2.5\n2020-01-02,-3,4e1\n");
        Assert.Equal(2, s.Length);
        Assert.Equal(new[] { "a", "b" }, s.ChannelNames);
        Assert.Equal(new[] { 1.0, 2.5, -3.0, 40.0 }, s.Values.ToArray());
        Assert.Equal(40.0, s[1, 1]);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("")]
    public void MissingCellNamesRowAndColumn(string cell)
    {
        var e = Assert.Throws<InvalidDataException>(() => Csv($"date,a,b\nx,1,2\nx,3,{cell}\n"));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public void NonNumericCellNamesRowAndColumnEvenWithForwardFill()
    {
        var e = Assert.Throws<InvalidDataException>(() => Csv("date,a,b\nx,1,2\nx,3,4\nx,abc,5\n", forwardFill: true));
        Assert.Contains("row 3", e.Message);
        Assert.Contains("'a'", e.Message);
        Assert.Contains("abc", e.Message);
    }

    [Fact]
    public void ForwardFillTakesPreviousRowOfSameChannel()
    {
        var s = Csv("date,a,b\nx,1,2\nx,NaN,\nx,5,Infinity\n", forwardFill: true);
        Assert.Equal(new[] { 1.0, 2.0, 1.0, 2.0, 5.0, 2.0 }, s.Values.ToArray());
    }

    [Fact]
    public void ForwardFillCannotFillFirstRow()
    {
        var e = Assert.Throws<InvalidDataException>(() => Csv("date,a,b\nx,1,NaN\n", forwardFill: true));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public void WrongCellCountAndMissingTimeColumnAreNamed()
    {
        Assert.Contains("row 2", Assert.Throws<InvalidDataException>(() => Csv("date,a\nx,1\nx,1,2\n")).Message);
        Assert.Contains("'date'", Assert.Throws<InvalidDataException>(() => Csv("time,a\nx,1\n")).Message);
    }

    [Fact]
    public void ScalerUsesPopulationStdAndFloorsConstantChannel()
    {
        // channel a over rows 0..3: 1, 3, 5, 7 → mean 4, var (9+1+1+9)/4 = 5; channel b constant 2 → σ floored to 1.
        var s = TimeSeries.FromRows(new double[] { 1, 2, 3, 2, 5, 2, 7, 2, 100, 9 }, new[] { "a", "b" });
        var scaler = ChannelScaler.Fit(s, 0, 4);
        Assert.Equal(4.0, scaler.Mean[0], 12);
        Assert.Equal(Math.Sqrt(5), scaler.Std[0], 12);
        Assert.Equal(2.0, scaler.Mean[1], 12);
        Assert.Equal(1.0, scaler.Std[1]);
        var z = scaler.Transform(s);
        Assert.Equal(-3 / Math.Sqrt(5), z[0, 0], 12);
        Assert.Equal(96 / Math.Sqrt(5), z[4, 0], 12);
        Assert.Equal(0.0, z[3, 1]);
        Assert.Equal(7.0, z[4, 1], 12);
    }

    [Fact]
    public void ScalerRoundTripsToFloat64Rounding()
    {
        var rng = new Random(7);
        var v = Enumerable.Range(0, 7 * 3).Select(_ => rng.NextDouble() * 1000 - 300).ToArray();
        var s = TimeSeries.FromRows(v, new[] { "a", "b", "c" });
        var scaler = ChannelScaler.Fit(s, 0, 5);
        var back = scaler.Inverse(scaler.Transform(s)).Values.ToArray();
        for (int i = 0; i < v.Length; i++)
            Assert.True(Math.Abs(back[i] - v[i]) <= 4 * (Math.BitIncrement(Math.Abs(v[i])) - Math.Abs(v[i])), // within 4 ulps
                $"value {i}: {v[i]:R} came back as {back[i]:R}");
        var z = scaler.Transform(s);
        Assert.NotEqual(v[0], z[0, 0]);
    }

    [Fact]
    public void WindowsSlideByOneAndHoldInputThenTarget()
    {
        var s = TimeSeries.FromRows(Enumerable.Range(0, 14).Select(i => (double)i).ToArray(), new[] { "a", "b" });
        // 7 rows: row t = (2t, 2t+1). L = 3, H = 2 → 7 − 5 + 1 = 3 windows.
        var w = SlidingWindows.Create(s, 3, 2);
        Assert.Equal(3, w.Count);
        Assert.Equal(new double[] { 2, 3, 4, 5, 6, 7 }, w.Input(1).ToArray());
        Assert.Equal(new double[] { 12, 13 }, w.Target(2).ToArray()[2..]);
        Assert.Equal(new double[] { 10, 11, 12, 13 }, w.Target(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Input(3));
    }

    [Fact]
    public void TooFewRowsStatesBothNumbers()
    {
        var s = TimeSeries.FromRows(new double[7], new[] { "a" });
        var e = Assert.Throws<ArgumentException>(() => SlidingWindows.Create(s, 5, 3));
        Assert.Contains("7 rows", e.Message);
        Assert.Contains("8", e.Message);
        Assert.Contains("5 + 3", e.Message);
    }

    [Fact]
    public void SplitTestWindowsReachBackIntoValidation()
    {
        var s = TimeSeries.FromRows(Enumerable.Range(0, 30).Select(i => (double)i).ToArray(), new[] { "a" });
        var split = LongHorizonSplit.Create(10, 5, 6); // test rows [15, 21)
        var test = split.Test(s, 4, 2);
        Assert.Equal(6 - 2 + 1, test.Count);
        Assert.Equal(new double[] { 11, 12, 13, 14 }, test.Input(0).ToArray());
        Assert.Equal(new double[] { 15, 16 }, test.Target(0).ToArray());
        Assert.Equal(new double[] { 19, 20 }, test.Target(test.Count - 1).ToArray());
        var train = split.Train(s, 4, 2);
        Assert.Equal(10 - 6 + 1, train.Count);
        Assert.Equal(new double[] { 8, 9 }, train.Target(train.Count - 1).ToArray());
        var val = split.Validation(s, 4, 2);
        Assert.Equal(new double[] { 10, 11 }, val.Target(0).ToArray());
    }

    [SharedDataFact(SeriesData.EttH1)]
    public void EttH1LoadsWithStandardSplit()
    {
        var s = TimeSeries.FromCsv(SharedData.File(SeriesData.EttH1)!);
        Assert.Equal(17420, s.Length);
        Assert.Equal(new[] { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" }, s.ChannelNames);
        Assert.Equal(30.5310001373291, s[0, 6], 12);
        var split = LongHorizonSplit.Ett();
        var test = split.Test(s, 336, 96);
        Assert.Equal(2880 - 96 + 1, test.Count);
        var z = split.FitScaler(s).Transform(s);
        var train = z.Rows(0, 8640);
        double mean = 0;
        for (int t = 0; t < 8640; t++) mean += train[t * 7 + 6];
        Assert.Equal(0.0, mean / 8640, 9);
    }
}
