using RnnMl.Export;
using RnnMl.Text.Export;
using static RnnMl.Onnx.Tests.OnnxForecasterParityTests;

namespace RnnMl.Onnx.Tests;

/// <summary>Bad histories, bad channel settings, bad files and disposal, one bad dimension (7) at a time.</summary>
public sealed class OnnxForecasterValidationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-forecaster-bad-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private OnnxForecaster Exported(ForecasterModelInfo? info = null)
    {
        using var model = Model(quantiles: true, skip: false, divideByStd: false);
        var path = Path.Combine(folder, "f.onnx");
        OnnxExporter.Export(model, path, info);
        return LoadStrict(path);
    }

    [Fact]
    public void History_WithSevenRows_IsRefusedNamingBothCounts()
    {
        using var forecaster = Exported();
        var e = Assert.Throws<ArgumentException>(() => forecaster.Forecast(Windows(1, 2, rows: 7)[0]));
        Assert.Contains("7 rows", e.Message);
        Assert.Contains("L = 12", e.Message);
    }

    [Fact]
    public void History_WithSevenChannels_IsRefusedWhenTheModelHasThree()
    {
        using var forecaster = Exported(new ForecasterModelInfo(new[] { "x", "y", "z" }, new double[] { 0, 0, 0 }, new double[] { 1, 1, 1 }));
        var e = Assert.Throws<ArgumentException>(() => forecaster.Forecast(Windows(1, 7)[0]));
        Assert.Contains("3 channels", e.Message);
        Assert.Contains("7 columns", e.Message);
        Assert.Equal(3, forecaster.Forecast(Windows(1, 3)[0]).Point.GetLength(1));
    }

    [Fact]
    public void Batch_WithOneHistoryOfSevenChannels_IsRefusedNamingIt()
    {
        using var forecaster = Exported();
        var histories = new[] { Windows(1, 2)[0], Windows(1, 7)[0] };
        var e = Assert.Throws<ArgumentException>(() => forecaster.ForecastBatch(histories));
        Assert.Contains("got 7 in history 1", e.Message);
    }

    [Fact]
    public void Steps_OfDifferentLengths_AreRefusedNamingTheStep()
    {
        using var forecaster = Exported();
        var steps = Enumerable.Range(0, 12).Select(t => new float[t == 7 ? 7 : 2]).ToList();
        var e = Assert.Throws<ArgumentException>(() => forecaster.Forecast(steps));
        Assert.Contains("got 7 at step 7", e.Message);
    }

    [Fact]
    public void NaN_IsRefusedNamingRowAndColumn()
    {
        using var forecaster = Exported();
        var x = Windows(1, 2, rows: 14)[0];
        x[7, 1] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => forecaster.Forecast(x));
        Assert.Contains("row 7, column 1", e.Message);
    }

    [Fact]
    public void ChannelSettings_OfDifferentCounts_AreRefused()
    {
        Assert.Contains("7 means, 3 stds", Assert.Throws<ArgumentException>(() => new ForecasterModelInfo(null, new double[7], new double[] { 1, 1, 1 })).Message);
        Assert.Contains("3 names, 7 means", Assert.Throws<ArgumentException>(() => new ForecasterModelInfo(new[] { "a", "b", "c" }, new double[7], Enumerable.Repeat(1.0, 7).ToArray())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ForecasterModelInfo(null, new double[] { 0 }, new double[] { 0 }));
        Assert.Throws<ArgumentException>(() => new ForecasterModelInfo(null, new double[] { 0 }, null));
    }

    [Fact]
    public void File_ThatIsNotAForecaster_IsRefused()
    {
        var path = Path.Combine(folder, "junk.onnx");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3, 7 });
        Assert.Throws<InvalidDataException>(() => OnnxForecaster.Load(path));
        Assert.Throws<FileNotFoundException>(() => OnnxForecaster.Load(Path.Combine(folder, "missing.onnx")));
    }

    [Fact]
    public void Metadata_WithAQuantileOutOfRange_IsRefusedNamingTheEntry()
    {
        var map = new Dictionary<string, string>(new ForecasterModelInfo().WithModel(12, 5, new[] { 0.1, 0.9 }).ToMetadata())
        {
            ["rnnml.quantiles"] = "[0.1,7]",
        };
        Assert.Contains("rnnml.quantiles", Assert.Throws<InvalidDataException>(() => ForecasterModelInfo.FromMetadata(map)).Message);
        Assert.Equal(new[] { 0.1, 0.9 }, ForecasterModelInfo.FromMetadata(new ForecasterModelInfo().WithModel(12, 5, new[] { 0.1, 0.9 }).ToMetadata()).Quantiles);
    }

    [Fact]
    public void Dispose_ThenEveryMemberThrows_AndADisposedModelCannotBeExported()
    {
        var forecaster = Exported();
        forecaster.Dispose();
        forecaster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => forecaster.Forecast(Windows(1, 2)[0]));
        Assert.Throws<ObjectDisposedException>(() => forecaster.Info);
        var model = Model(quantiles: false, skip: false, divideByStd: false);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => OnnxExporter.Export(model, new MemoryStream()));
    }
}
