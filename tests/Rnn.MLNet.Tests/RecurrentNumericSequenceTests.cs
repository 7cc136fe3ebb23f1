using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.NumericSequence;
using RnnMl.Torch.Models;
using Xunit.Abstractions;

namespace RnnMl.MLNet.Tests;

/// <summary>The contract of the <c>RecurrentNumericSequence</c> trainers: ML.NET's columns and evaluators, schema and row
/// errors, PredictionEngine, save/load in a fresh process, options, learning order-dependent labels on held-out rows
/// (and failing on reversed rows, which an order-free model could not tell apart), disposal.</summary>
public class RecurrentNumericSequenceTests : IClassFixture<NumericSequenceFixture>
{
    private readonly NumericSequenceFixture fixture;
    private readonly ITestOutputHelper output;

    public RecurrentNumericSequenceTests(NumericSequenceFixture fixture, ITestOutputHelper output) => (this.fixture, this.output) = (fixture, output);

    private MLContext Ml => fixture.Ml;

    private sealed class ScalarFeatures
    {
        public float Features { get; set; }
        public float Label { get; set; }
    }

    private sealed class DoubleLabel
    {
        [VectorType] public float[] Features { get; set; } = [];
        public double Label { get; set; }
    }

    public sealed class BinaryOut
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    [Fact]
    public void Regression_LearnsTheSlope_OnHeldOutRows_AndReversedRowsScoreTheOppositeSlope()
    {
        var test = ToySequences.Trends(300, seed: 11);
        var metrics = Ml.Regression.Evaluate(fixture.Regressor.Transform(Ml.Data.LoadFromEnumerable(test)));
        var reversed = test.Select(r => new ToySequences.TrendRow { Features = ToySequences.Reversed(r.Features, 2), Label = r.Label }).ToList();
        var backwards = Ml.Regression.Evaluate(fixture.Regressor.Transform(Ml.Data.LoadFromEnumerable(reversed)));
        output.WriteLine($"held-out R² {metrics.RSquared:F3} MSE {metrics.MeanSquaredError:F4}; reversed R² {backwards.RSquared:F3}");
        // Predicting the mean scores R² 0; an order-free model cannot know the sign of s, so it cannot beat that by much.
        Assert.True(metrics.RSquared >= 0.8, $"R² {metrics.RSquared}");
        Assert.True(backwards.RSquared < -1, $"reversed R² {backwards.RSquared}");
    }

    [Fact]
    public void Binary_LearnsTheSignOfTheTrend_WellAboveMajority_AndReversedRowsAreMostlyWrong()
    {
        var test = ToySequences.Signs(300, seed: 12);
        double majority = Math.Max(test.Count(r => r.Label), test.Count(r => !r.Label)) / (double)test.Count;
        var metrics = Ml.BinaryClassification.Evaluate(fixture.Binary.Transform(Ml.Data.LoadFromEnumerable(test)));
        var reversed = test.Select(r => new ToySequences.SignRow { Features = ToySequences.Reversed(r.Features, 2), Label = r.Label }).ToList();
        var backwards = Ml.BinaryClassification.Evaluate(fixture.Binary.Transform(Ml.Data.LoadFromEnumerable(reversed)));
        output.WriteLine($"held-out accuracy {metrics.Accuracy:F3} AUC {metrics.AreaUnderRocCurve:F3} (majority {majority:F3}); reversed {backwards.Accuracy:F3}");
        Assert.True(majority < 0.6);
        Assert.True(metrics.Accuracy >= 0.9, $"accuracy {metrics.Accuracy}");
        Assert.True(backwards.Accuracy <= 0.15, $"reversed accuracy {backwards.Accuracy}");
    }

    [Fact]
    public void Multiclass_LearnsWhichThirdHoldsTheSpike_AndMapKeyToValueGivesTheNames()
    {
        var test = ToySequences.Spikes(300, seed: 13);
        var scored = fixture.Multiclass.Transform(fixture.SpikeKeys.Transform(Ml.Data.LoadFromEnumerable(test)));
        var metrics = Ml.MulticlassClassification.Evaluate(scored);
        double majority = test.GroupBy(r => r.Where).Max(g => g.Count()) / (double)test.Count;
        var reversed = test.Select(r => new ToySequences.SpikeRow { Features = ToySequences.Reversed(r.Features, 1), Where = r.Where }).ToList();
        var backwards = Ml.MulticlassClassification.Evaluate(fixture.Multiclass.Transform(fixture.SpikeKeys.Transform(Ml.Data.LoadFromEnumerable(reversed))));
        output.WriteLine($"held-out accuracy {metrics.MicroAccuracy:F3} (majority {majority:F3}); reversed {backwards.MicroAccuracy:F3}");
        Assert.True(metrics.MicroAccuracy >= 0.85, $"accuracy {metrics.MicroAccuracy}");
        Assert.True(majority < 0.45);
        // Reversal swaps early and late; only the middle third (about a third of the rows) can stay right.
        Assert.True(backwards.MicroAccuracy <= 0.5, $"reversed accuracy {backwards.MicroAccuracy}");
        var names = Columns.Read<ReadOnlyMemory<char>>(Ml.Transforms.Conversion.MapKeyToValue("Predicted", "PredictedLabel").Fit(scored).Transform(scored), "Predicted");
        Assert.Equal(test.Select(r => r.Where).Distinct().Order(), names.Select(n => n.ToString()).Distinct().Order());
        Assert.Equal(["early", "middle", "late"], fixture.Multiclass.ClassNames);
    }

    [Fact]
    public void OutputSchemas_AreMLNetsColumns_AndTheEstimatorPromisesThem()
    {
        var regression = fixture.Regressor.GetOutputSchema(fixture.TrendTrain.Schema);
        Assert.Equal(["Features", "Label", "Score"], regression.Select(c => c.Name));
        Assert.Equal(NumberDataViewType.Single, regression["Score"].Type);
        var binary = fixture.Binary.GetOutputSchema(fixture.SignTrain.Schema);
        Assert.Equal(["Features", "Label", "Score", "Probability", "PredictedLabel"], binary.Select(c => c.Name));
        Assert.Equal(BooleanDataViewType.Instance, binary["PredictedLabel"].Type);
        var multi = fixture.Multiclass.GetOutputSchema(fixture.SpikeTrain.Schema);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), multi["Score"].Type);
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), multi["PredictedLabel"].Type);
        Assert.NotNull(multi["PredictedLabel"].Annotations.Schema.GetColumnOrNull("KeyValues"));

        var shape = Ml.Regression.Trainers.RecurrentNumericSequence(ToySequences.Options(2)).GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<ToySequences.TrendRow>(Ml));
        var score = shape.Single(c => c.Name == "Score");
        Assert.Equal((SchemaShape.Column.VectorKind.Scalar, (DataViewType)NumberDataViewType.Single), (score.Kind, score.ItemType));
        var binaryShape = Ml.BinaryClassification.Trainers.RecurrentNumericSequence(ToySequences.Options(2)).GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<ToySequences.SignRow>(Ml));
        Assert.Contains(binaryShape, c => c.Name == "Probability");
    }

    [Fact]
    public void WrongColumnTypes_FailNamingExpectedAndActualTypes_InFitSchemaAndTransform()
    {
        var scalar = Ml.Data.LoadFromEnumerable(new[] { new ScalarFeatures { Features = 1, Label = 2 } });
        var trainer = Ml.Regression.Trainers.RecurrentNumericSequence(ToySequences.Options(2));
        Assert.Contains("column 'Features': expected Vector<Single>, got Single", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(scalar)).Message);
        Assert.Contains("column 'Features': expected Vector<Single>, got Single",
            Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<ScalarFeatures>(Ml))).Message);
        Assert.Contains("column 'Features': expected Vector<Single>, got Single", Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Regressor.Transform(scalar)).Message);
        var doubles = Ml.Data.LoadFromEnumerable(new[] { new DoubleLabel { Features = [1, 2], Label = 1 } });
        Assert.Contains("label column 'Label': expected Single, got Double", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(doubles)).Message);
        Assert.Contains("label column 'Label': expected Boolean, got Single",
            Assert.Throws<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.RecurrentNumericSequence(ToySequences.Options(2)).Fit(fixture.TrendTrain)).Message);
    }

    [Fact]
    public void BadRows_AreInvalidDataNamingTheRow_InTrainingAndTransform_UnlessForwardFillIsChosen()
    {
        var rows = ToySequences.Trends(40, seed: 3);
        rows[5] = new ToySequences.TrendRow { Features = [1, 2, 3, 4, 5, 6, 7], Label = 1 };
        var trainer = Ml.Regression.Trainers.RecurrentNumericSequence(ToySequences.Options(2));
        var odd = Assert.Throws<InvalidDataException>(() => trainer.Fit(Ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("row 5", odd.Message);
        Assert.Contains("7 values", odd.Message);
        Assert.Contains("FeaturesPerStep = 2", odd.Message);
        var scoredOdd = fixture.Regressor.Transform(Ml.Data.LoadFromEnumerable(rows));
        Assert.Contains("row 5 has 7 values", Assert.Throws<InvalidDataException>(() => Columns.Read<float>(scoredOdd, "Score")).Message);

        rows[5] = new ToySequences.TrendRow { Features = [1, 2, 3, float.NaN, 5, 6], Label = 1 };
        var nan = Assert.Throws<InvalidDataException>(() => trainer.Fit(Ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("row 5 of column 'Features', step 1, feature 1 is NaN", nan.Message);
        Assert.Contains("row 5, step 1, feature 1 is NaN", Assert.Throws<InvalidDataException>(() => Columns.Read<float>(fixture.Regressor.Transform(Ml.Data.LoadFromEnumerable(rows)), "Score")).Message);

        var options = ToySequences.Options(2);
        (options.MissingValues, options.Epochs) = (MissingValuePolicy.ForwardFill, 1);
        using var filled = Ml.Regression.Trainers.RecurrentNumericSequence(options).Fit(Ml.Data.LoadFromEnumerable(rows));
        var byHand = rows.Select(r => new ToySequences.TrendRow { Features = r.Features.Select((v, k) => float.IsNaN(v) ? r.Features[k - 2] : v).ToArray(), Label = r.Label }).ToList();
        Assert.Equal(Columns.Read<float>(filled.Transform(Ml.Data.LoadFromEnumerable(byHand)), "Score"), Columns.Read<float>(filled.Transform(Ml.Data.LoadFromEnumerable(rows)), "Score"));
    }

    [Fact]
    public void FeatureStandardisation_IsTheTrainingRowsMeanAndStdPerFeature()
    {
        var rows = ToySequences.Trends(600, seed: 1);
        // The fixture held out 10 % of the rows at random, so compare with all rows loosely and check the stds are not 1.
        double mean0 = rows.SelectMany(r => r.Features.Where((_, k) => k % 2 == 0)).Average();
        Assert.InRange(fixture.Regressor.FeatureMeans[0], mean0 - 0.3, mean0 + 0.3);
        Assert.InRange(fixture.Regressor.FeatureStds[1], 0.9, 1.1);
        Assert.InRange(fixture.Regressor.FeatureStds[0], 1.6, 2.6);
    }

    [Fact]
    public void PredictionEngine_EqualsTransform()
    {
        var test = ToySequences.Signs(20, seed: 21);
        var batch = Ml.Data.LoadFromEnumerable(test);
        var scores = Columns.Read<float>(fixture.Binary.Transform(batch), "Score");
        var engine = Ml.Model.CreatePredictionEngine<ToySequences.SignRow, BinaryOut>(fixture.Binary);
        for (int i = 0; i < test.Count; i++)
        {
            var p = engine.Predict(test[i]);
            Assert.Equal(scores[i], p.Score, 4);
            Assert.Equal(p.Score > 0, p.PredictedLabel);
            Assert.Equal(1 / (1 + Math.Exp(-p.Score)), p.Probability, 5);
        }
    }

    [Theory]
    [InlineData(NumericSequenceTask.Regression)]
    [InlineData(NumericSequenceTask.BinaryClassification)]
    [InlineData(NumericSequenceTask.MulticlassClassification)]
    public void SaveThenLoad_GivesIdenticalScores_AlsoInAFreshProcess(NumericSequenceTask task)
    {
        var (model, schema, rows) = task switch
        {
            NumericSequenceTask.Regression => (fixture.Regressor, fixture.TrendTrain.Schema, ToySequences.Trends(25, 31).Select(r => r.Features).ToList()),
            NumericSequenceTask.BinaryClassification => (fixture.Binary, fixture.SignTrain.Schema, ToySequences.Trends(25, 32).Select(r => r.Features).ToList()),
            _ => (fixture.Multiclass, fixture.SpikeTrain.Schema, ToySequences.Spikes(25, 33).Select(r => r.Features).ToList()),
        };
        var data = Ml.Data.LoadFromEnumerable(rows.Select(x => new ToySequences.TrendRow { Features = x }));
        string[] Lines(IDataView scored) => scored.Schema["Score"].Type is VectorDataViewType
            ? Columns.ReadVectors(scored, "Score").Select(v => string.Join(" ", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))).ToArray()
            : Columns.Read<float>(scored, "Score").Select(x => x.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var expected = Lines(model.Transform(data));
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "numeric.zip");
            Ml.Model.SaveRnnModel(model, schema, path);
            using (var loaded = (RecurrentNumericSequenceTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _))
            {
                Assert.Equal(expected, Lines(loaded.Transform(data)));
                Assert.Equal((task, model.FeaturesPerStep), (loaded.Task, loaded.FeaturesPerStep));
                Assert.Equal(model.FeatureMeans, loaded.FeatureMeans);
                Assert.Equal(model.ClassNames, loaded.ClassNames);
            }
            var file = Path.Combine(folder, "rows.txt");
            File.WriteAllLines(file, rows.Select(x => string.Join(" ", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))), new UTF8Encoding(false));
            Assert.Equal(expected, RnnModelOperationsTests.RunReloadCheck(path, file, "--numeric"));
        });
    }

    [Fact]
    public void BadOptions_AreRefusedNamingTheParameter()
    {
        var options = ToySequences.Options(2);
        options.FeaturesPerStep = 0;
        Assert.Equal(nameof(RecurrentNumericSequenceOptions.FeaturesPerStep), Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Regression.Trainers.RecurrentNumericSequence(options)).ParamName);
        options = ToySequences.Options(2);
        options.MissingValues = (MissingValuePolicy)7;
        Assert.Equal(nameof(RecurrentNumericSequenceOptions.MissingValues), Assert.Throws<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.RecurrentNumericSequence(options)).ParamName);
        options = ToySequences.Options(2);
        options.ProjectionSize = 0;
        Assert.Equal("ProjectionSize", Assert.Throws<ArgumentOutOfRangeException>(() => Ml.MulticlassClassification.Trainers.RecurrentNumericSequence(options)).ParamName);
        options = ToySequences.Options(2);
        options.FeaturesColumnName = " ";
        Assert.Equal(nameof(RecurrentNumericSequenceOptions.FeaturesColumnName), Assert.Throws<ArgumentException>(() => Ml.Regression.Trainers.RecurrentNumericSequence(options)).ParamName);
        Assert.Equal("FeaturesPerStep", Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Regression.Trainers.RecurrentNumericSequence(featuresPerStep: -1)).ParamName);
    }

    [Fact]
    public void Dispose_ThenEveryMemberThrowsObjectDisposedException()
    {
        var options = ToySequences.Options(2);
        options.Epochs = 1;
        var model = Ml.Regression.Trainers.RecurrentNumericSequence(options).Fit(fixture.TrendTrain);
        model.Dispose();
        model.Dispose();
        foreach (var property in model.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            var e = Assert.Throws<System.Reflection.TargetInvocationException>(() => property.GetValue(model));
            Assert.True(e.InnerException is ObjectDisposedException, $"{property.Name} threw {e.InnerException}");
        }
        Assert.Throws<ObjectDisposedException>(() => model.Transform(fixture.TrendTrain));
        Assert.Throws<ObjectDisposedException>(() => Ml.Model.SaveRnnModel(model, fixture.TrendTrain.Schema, Path.Combine(Path.GetTempPath(), "never.zip")));
    }

    [Fact]
    public void Dispose_WhileThreadsScore_WaitsOrFailsCleanly()
    {
        var options = ToySequences.Options(2);
        options.Epochs = 1;
        var model = Ml.BinaryClassification.Trainers.RecurrentNumericSequence(options).Fit(fixture.SignTrain);
        var rows = ToySequences.Signs(30, seed: 5);
        var data = Ml.Data.LoadFromEnumerable(rows);
        int k = 0;
        var outcomes = DisposalRace.Race(() =>
        {
            if (Interlocked.Increment(ref k) % 2 == 0)
            {
                var engine = Ml.Model.CreatePredictionEngine<ToySequences.SignRow, BinaryOut>(model);
                for (int i = 0; i < 10; i++) engine.Predict(rows[i]);
            }
            else Columns.Read<float>(model.Transform(data), "Score");
        }, model.Dispose);
        Assert.All(outcomes, o => Assert.True(o is null or ObjectDisposedException, $"a scoring thread failed with {o}"));
        Assert.Contains(outcomes, o => o is ObjectDisposedException);
    }

    [Theory]
    [InlineData("FeatureStds", "[0, 1]", "no positive std per feature (2)")]
    [InlineData("FeatureMeans", "[1]", "no finite mean per feature (2)")]
    [InlineData("Task", "7", "Task = 7")]
    [InlineData("Model.Head", "\"Classification\"", "invalid Model: outputs must be at least 2")]
    [InlineData("Model.HiddenSize", "2000", "implies at least")]
    [InlineData("OutputColumnNames", "[]", "OutputColumnNames")]
    [InlineData("Model", "null", "has no Model")]
    public void LoadRnnModel_MetaEditedWithChecksumUpdated_ThrowsNamingTheEntryAndField(string field, string json, string expected)
    {
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "numeric.zip");
            Ml.Model.SaveRnnModel(fixture.Regressor, fixture.TrendTrain.Schema, path);
            MetadataTamperingTests.Tamper(path, "RnnMl/000/meta.json", field, json);
            var e = Assert.Throws<InvalidDataException>(() => Ml.Model.LoadRnnModel(path, out _));
            Assert.Contains("'RnnMl/000/meta.json'", e.Message);
            Assert.Contains(expected, e.Message);
        });
    }
}
