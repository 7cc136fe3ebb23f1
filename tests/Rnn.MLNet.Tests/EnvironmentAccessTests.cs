using Microsoft.ML;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Tests;

/// <summary>
/// Guards EnvironmentAccess, which reaches the MLContext behind a trainer catalog by reflection on ML.NET internals
/// (Microsoft.ML 6.0.0). It is internal, so it is tested through the public catalog methods: if an ML.NET update
/// moved what it reflects on, creating a trainer would throw, or the trainer would stop seeing the context's log and
/// GPU settings.
/// </summary>
public class EnvironmentAccessTests
{
    [Fact]
    public void Catalogs_CreateTrainersWithoutError()
    {
        var ml = new MLContext(seed: 1);

        var binary = ml.BinaryClassification.Trainers.RecurrentTextClassifier(Tiny.Options());
        var multiclass = ml.MulticlassClassification.Trainers.RecurrentTextClassifier(Tiny.Options());
        var binaryDefaults = ml.BinaryClassification.Trainers.RecurrentTextClassifier();
        var multiclassDefaults = ml.MulticlassClassification.Trainers.RecurrentTextClassifier();

        Assert.Equal(ClassificationKind.Binary, binary.Kind);
        Assert.Equal(ClassificationKind.Multiclass, multiclass.Kind);
        Assert.Equal(ClassificationKind.Binary, binaryDefaults.Kind);
        Assert.Equal(ClassificationKind.Multiclass, multiclassDefaults.Kind);
    }

    [Fact]
    public void TextTransformsCatalog_TranslatorLogsToTheMLContextBehindIt()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.RawMessage); };
        var options = ToyTranslations.Options();
        options.Epochs = 1;
        using var model = ml.Transforms.Text.TranslateText(options).Fit(ml.Data.LoadFromEnumerable(ToyTranslations.Pairs(40, 1)));
        Assert.Contains(messages, m => m.Contains("training pairs"));
    }

    [Fact]
    public void ForecastingCatalog_ForecasterLogsToTheMLContextBehindIt()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.RawMessage); };
        var options = ToySeries.Options();
        options.Epochs = 1;
        using var model = ml.Forecasting.ForecastByRecurrent(options).Fit(ml.Data.LoadFromEnumerable(ToySeries.Generate(200, 1)));
        Assert.Contains(messages, m => m.Contains("training and") && m.Contains("windows of 48 + 12 steps"));
    }

    [Fact]
    public void Fit_LogsToTheMLContextBehindTheCatalog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.RawMessage); };

        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(Tiny.Options(1)).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(32, 3)));

        lock (messages) Assert.Contains(messages, m => m.StartsWith("epoch 1/1"));
    }

    [Theory]
    [InlineData(ClassificationKind.Binary)]
    [InlineData(ClassificationKind.Multiclass)]
    public void Fit_ReadsTheGpuSettingOfTheMLContextBehindTheCatalog(ClassificationKind kind)
    {
        // CPU-only libtorch: a GPU asked for on the context is absent, and the trainer can only know it was asked for
        // by reading the context.
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0 };
        var topics = ml.Data.LoadFromEnumerable(ToyData.Multiclass(16, 3));
        var data = kind == ClassificationKind.Binary
            ? ml.Data.LoadFromEnumerable(ToyData.Binary(16, 3))
            : ml.Transforms.Conversion.MapValueToKey("Label", "Topic").Fit(topics).Transform(topics);
        var trainer = kind == ClassificationKind.Binary
            ? ml.BinaryClassification.Trainers.RecurrentTextClassifier(Tiny.Options(1))
            : ml.MulticlassClassification.Trainers.RecurrentTextClassifier(Tiny.Options(1));

        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));

        Assert.Contains("GpuDeviceId is 0", e.Message);
    }
}
