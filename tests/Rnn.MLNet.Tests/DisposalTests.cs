using static RnnMl.MLNet.Tests.DisposalRace;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Generation;
using RnnMl.MLNet.Translation;

namespace RnnMl.MLNet.Tests;

/// <summary>Transformers after <c>Dispose</c> and <c>Dispose</c> racing predictions: <see cref="ObjectDisposedException"/>
/// from every public member, never a crash or a libtorch error about freed tensors.</summary>
public class DisposalTests
{
    private static readonly MLContext Ml = new(seed: 1);

    internal static RecurrentTextClassifierTransformer Classifier() =>
        Ml.BinaryClassification.Trainers.RecurrentTextClassifier(Tiny.Options(epochs: 1)).Fit(Ml.Data.LoadFromEnumerable(ToyData.Binary(64, 1)));

    internal static RecurrentTextGeneratorTransformer Generator()
    {
        var options = GeneratorFixture.Options(epochs: 1);
        return Ml.Transforms.Text.GenerateText(options).Fit(Ml.Data.LoadFromEnumerable(GeneratorFixture.Sentences(40).Select(t => new GeneratorRow { Text = t })));
    }

    internal static RecurrentTranslatorTransformer Translator()
    {
        var options = ToyTranslations.Options();
        options.Epochs = 1;
        return Ml.Transforms.Text.TranslateText(options).Fit(Ml.Data.LoadFromEnumerable(ToyTranslations.Pairs(48, 1)));
    }

    [Fact]
    public void Classifier_AfterDispose_EveryPublicMemberThrowsObjectDisposed()
    {
        var model = Classifier();
        var data = Ml.Data.LoadFromEnumerable(ToyData.Binary(8, 2));
        model.Dispose();
        model.Dispose(); // a second Dispose does nothing
        AssertAllDisposed(model, () => model.Transform(data), () => model.GetOutputSchema(data.Schema), () => model.GetRowToRowMapper(data.Schema),
            () => Ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(model));
    }

    [Fact]
    public void Generator_AfterDispose_EveryPublicMemberThrowsObjectDisposed()
    {
        var model = Generator();
        var data = Ml.Data.LoadFromEnumerable(new[] { new GeneratorRow { Prompt = "the" } });
        model.Dispose();
        model.Dispose();
        AssertAllDisposed(model, () => model.Transform(data), () => model.GetOutputSchema(data.Schema), () => model.GetRowToRowMapper(data.Schema),
            () => model.Generate(new[] { "the" }), () => model.Evaluate(new[] { "the cat sat." }));
    }

    [Fact]
    public void Translator_AfterDispose_EveryPublicMemberThrowsObjectDisposed()
    {
        var model = Translator();
        var data = Ml.Data.LoadFromEnumerable(ToyTranslations.Pairs(4, 2));
        model.Dispose();
        model.Dispose();
        AssertAllDisposed(model, () => model.Transform(data), () => model.GetOutputSchema(data.Schema), () => model.GetRowToRowMapper(data.Schema),
            () => model.Translate(new[] { "red cat" }), () => model.Attend("red cat"), () => model.Evaluate(new[] { "red cat" }, new[] { "katze rot" }));
    }

    [Fact]
    public void Classifier_DisposeWhilePredictionEnginesAndTransformRun_WaitsOrFailsCleanly()
    {
        var model = Classifier();
        var data = Ml.Data.LoadFromEnumerable(ToyData.Binary(50, 2));
        int k = 0;
        var outcomes = Race(() =>
        {
            // Alternate one-row engines and batched Transform, the two ways ML.NET scores.
            if (Interlocked.Increment(ref k) % 2 == 0)
            {
                var engine = Ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(model);
                for (int i = 0; i < 20; i++) engine.Predict(new ToyData.TextRow { Text = "the plot was good" });
            }
            else Ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(data), reuseRowObject: true).Count();
        }, model.Dispose);
        Assert.All(outcomes, o => Assert.True(o is null or ObjectDisposedException, $"a predicting thread failed with {o}"));
        Assert.Contains(outcomes, o => o is ObjectDisposedException);
    }

    [Fact]
    public void GeneratorAndTranslator_DisposeWhileThreadsUseThem_WaitOrFailCleanly()
    {
        var generator = Generator();
        var outcomes = Race(() => generator.Generate(new[] { "the", "a dog" }), generator.Dispose);
        Assert.All(outcomes, o => Assert.True(o is null or ObjectDisposedException, $"a generating thread failed with {o}"));
        Assert.Contains(outcomes, o => o is ObjectDisposedException);

        var translator = Translator();
        outcomes = Race(() => translator.Translate(new[] { "red cat runs", "blue dog" }), translator.Dispose);
        Assert.All(outcomes, o => Assert.True(o is null or ObjectDisposedException, $"a translating thread failed with {o}"));
        Assert.Contains(outcomes, o => o is ObjectDisposedException);
    }

    /// <summary>Every public property and the given calls throw <see cref="ObjectDisposedException"/> naming the type.</summary>
    private static void AssertAllDisposed(object model, params Func<object?>[] calls)
    {
        var type = model.GetType();
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            var e = Assert.Throws<System.Reflection.TargetInvocationException>(() => property.GetValue(model));
            Assert.True(e.InnerException is ObjectDisposedException, $"{type.Name}.{property.Name} threw {e.InnerException}");
        }
        foreach (var call in calls)
            Assert.Equal(type.Name, Assert.Throws<ObjectDisposedException>(call).ObjectName);
    }

    [Fact]
    public void SaveRnnModel_DisposedModelOfEveryKind_ThrowsObjectDisposedAndLeavesTheSavedFileIntact()
    {
        WithTempFolder(folder =>
        {
            foreach (var model in new ITransformer[] { Classifier(), Generator(), Translator() })
            {
                var path = Path.Combine(folder, model.GetType().Name + ".zip");
                Ml.Model.SaveRnnModel(model, null, path);
                var saved = File.ReadAllBytes(path);
                ((IDisposable)model).Dispose();

                var chain = new TransformerChain<ITransformer>(model);
                Assert.Throws<ObjectDisposedException>(() => Ml.Model.SaveRnnModel(chain, null, path));
                Assert.Equal(saved, File.ReadAllBytes(path));
                Assert.Single(Directory.GetFiles(folder), f => f.EndsWith(model.GetType().Name + ".zip"));
                ((IDisposable)Ml.Model.LoadRnnModel(path, out _)).Dispose();
            }
            Assert.Equal(3, Directory.GetFiles(folder).Length);
        });
    }

    [Fact]
    public void ExportToOnnx_DisposedClassifierOrTranslator_ThrowsObjectDisposedAndLeavesTheExportedFilesIntact()
    {
        WithTempFolder(folder =>
        {
            var classifier = Classifier();
            var onnx = Path.Combine(folder, "model.onnx");
            Ml.Model.ExportRnnModelToOnnx(classifier, onnx);
            var exported = File.ReadAllBytes(onnx);
            classifier.Dispose();
            Assert.Throws<ObjectDisposedException>(() => Ml.Model.ExportRnnModelToOnnx(classifier, onnx));
            Assert.Equal(exported, File.ReadAllBytes(onnx));

            var translator = Translator();
            var graphs = Path.Combine(folder, "translator");
            Ml.Model.ExportRnnTranslatorToOnnx(translator, graphs);
            var files = Directory.GetFiles(graphs).Order().Select(File.ReadAllBytes).ToArray();
            translator.Dispose();
            Assert.Throws<ObjectDisposedException>(() => Ml.Model.ExportRnnTranslatorToOnnx(translator, graphs));
            Assert.Equal(files, Directory.GetFiles(graphs).Order().Select(File.ReadAllBytes).ToArray());
        });
    }

    internal static void WithTempFolder(Action<string> test)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rnnml-disposal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try { test(folder); }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
