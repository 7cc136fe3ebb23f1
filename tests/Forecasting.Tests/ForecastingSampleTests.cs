using System.Globalization;

namespace RnnMl.Samples.Forecasting.Tests;

public class ForecastingSampleTests
{
    [Fact]
    public void BuiltInSeries_TrainsAndBeatsTheNaiveBaselines_SavesModelAndPlot()
    {
        var folder = Directory.CreateTempSubdirectory("rnnml-forecasting-sample-").FullName;
        try
        {
            string model = Path.Combine(folder, "m.zip"), plot = Path.Combine(folder, "p.png");
            var output = new StringWriter();
            var error = new StringWriter();
            int code = Program.Run(new[] { "--epochs", "6", "--hidden-size", "64", "--model", model, "--plot", plot }, output, error);
            var text = output.ToString();
            Assert.True(code == 0, text + error);

            var rows = text.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| forecaster", StringComparison.Ordinal))
                .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
                .ToDictionary(c => c[1], c => (Mse: Parse(c[2]), Mae: Parse(c[3])));
            Assert.Equal(new[] { "recurrent (ours)", "linear (L = 168)", "seasonal-naive (p = 24)", "repeat-last" }, rows.Keys);
            Assert.All(rows.Values, r => Assert.True(r.Mse > 0 && r.Mae > 0 && double.IsFinite(r.Mse), text));
            var ours = rows["recurrent (ours)"];
            Assert.True(ours.Mse < rows["repeat-last"].Mse / 4, text);
            Assert.True(ours.Mse < rows["seasonal-naive (p = 24)"].Mse, text);
            Assert.True(ours.Mae < rows["seasonal-naive (p = 24)"].Mae, text);

            var coverageLine = text.Split('\n').Single(l => l.StartsWith("90% interval coverage: ", StringComparison.Ordinal));
            double coverage = Parse(coverageLine.Split(' ')[3]);
            Assert.InRange(coverage, 0.75, 0.99);

            Assert.True(new FileInfo(model).Length > 0);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(plot).Take(4).ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs needs a whole number of at least 1")]
    [InlineData("--lookback", "100", "--lookback 100 must be a multiple of --segment 24")]
    [InlineData("--target", "Load", "--target needs --data")]
    [InlineData("--frobnicate", "1", "unknown argument '--frobnicate'")]
    [InlineData("--mode", "sideways", "--mode needs independent or joint, got 'sideways'")]
    public void BadArguments_ExitWith2AndSayWhy(string name, string value, string message)
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(new[] { name, value }, TextWriter.Null, error));
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public void BadData_MissingFileUnknownColumnOrTooFewRows_ExitWithAMessage()
    {
        var folder = Directory.CreateTempSubdirectory("rnnml-forecasting-data-").FullName;
        try
        {
            var csv = Path.Combine(folder, "short.csv");
            File.WriteAllLines(csv, new[] { "date,A,B" }.Concat(Enumerable.Range(0, 100).Select(i => $"2020-01-01 {i},{i},{2 * i}")));

            var error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { "--data", Path.Combine(folder, "absent.csv") }, TextWriter.Null, error));
            Assert.Contains("absent.csv", error.ToString());

            error = new StringWriter();
            Assert.Equal(2, Program.Run(new[] { "--data", csv, "--target", "A,C" }, TextWriter.Null, error));
            Assert.Contains("no channel 'C'", error.ToString());

            error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { "--data", csv, "--target", "B" }, TextWriter.Null, error));
            Assert.Contains("has 100 rows, too few for lookback 168 and horizon 24", error.ToString());

            var holed = Path.Combine(folder, "holed.csv");
            File.WriteAllLines(holed, new[] { "date,A,B", "d0,1,2", "d1,,3", "d2,4,5" });
            error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { "--data", holed }, TextWriter.Null, error));
            Assert.Contains("row 2, column 'A'", error.ToString());

            error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { "--data", csv, "--time-column", "timestamp" }, TextWriter.Null, error));
            Assert.Contains("time column 'timestamp' is not in the header", error.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void JointModeWithTimeCovariates_RunsOnTheBuiltInSeries_AndOnACsvTimeColumn()
    {
        var folder = Directory.CreateTempSubdirectory("rnnml-forecasting-modes-").FullName;
        try
        {
            string model = Path.Combine(folder, "m.zip"), plot = Path.Combine(folder, "p.png");
            var output = new StringWriter();
            var error = new StringWriter();
            int code = Program.Run(new[] { "--mode", "joint", "--covariates", "--epochs", "2", "--hidden-size", "16", "--model", model, "--plot", plot }, output, error);
            var text = output.ToString();
            Assert.True(code == 0, text + error);
            Assert.Contains("joint channels, covariates HourSin, HourCos, DaySin, DayCos", text);
            Assert.Contains("| recurrent (ours) |", text);
            Assert.True(new FileInfo(plot).Length > 0);

            // A CSV whose time column is not hourly from a Monday: hour and weekday come from the dates themselves.
            var csv = Path.Combine(folder, "series.csv");
            var start = new DateTime(2021, 3, 4, 5, 0, 0);
            File.WriteAllLines(csv, new[] { "date,A" }.Concat(Enumerable.Range(0, 700).Select(t =>
                $"{start.AddHours(t):yyyy-MM-dd HH:mm:ss},{(Math.Sin(2 * Math.PI * t / 24) + (start.AddHours(t).Hour == 9 ? 2 : 0)).ToString(CultureInfo.InvariantCulture)}")));
            var features = TimeFeatures.FromCsv(csv, "date", 700);
            Assert.Equal(Math.Sin(2 * Math.PI * 5 / 24), features[0, 0], 12);
            Assert.Equal(Math.Cos(2 * Math.PI * 3 / 7), features[0, 3], 12);   // 2021-03-04 is a Thursday (day 3 from Monday)
            output = new StringWriter();
            code = Program.Run(new[] { "--data", csv, "--covariates", "--lookback", "48", "--horizon", "12", "--segment", "12", "--epochs", "2",
                "--hidden-size", "16", "--model", model, "--plot", plot }, output, error);
            Assert.True(code == 0, output.ToString() + error);
            error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { "--data", csv, "--covariates", "--time-column", "when" }, TextWriter.Null, error));
            Assert.Contains("'when'", error.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void GeneratedSeries_IsDeterministicPerSeed_AndShiftsItsLevel()
    {
        var a = GeneratedSeries.Generate(2016, seed: 3);
        Assert.Equal(a.Values.ToArray(), GeneratedSeries.Generate(2016, seed: 3).Values.ToArray());
        Assert.NotEqual(a.Values.ToArray(), GeneratedSeries.Generate(2016, seed: 4).Values.ToArray());
        Assert.Equal(GeneratedSeries.Names, a.ChannelNames);
        // The Load channel's level shift (+6) at row 1108: compare whole weeks just before and after it.
        double Mean(int from) => Enumerable.Range(from, 168).Average(t => a[t, 0]);
        double jump = Mean(1108) - Mean(1108 - 168) - 168 * 0.004;
        Assert.InRange(jump, 4, 8);
    }

    private static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
