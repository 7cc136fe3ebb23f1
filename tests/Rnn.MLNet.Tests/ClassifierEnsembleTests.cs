using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Tests;

/// <summary>An ensemble of three tiny binary classifiers (<see cref="RecurrentTextClassifierOptions.EnsembleSize"/> 3, seed
/// 1) and the single classifier of seed 1, trained once for the test class.</summary>
public sealed class EnsembleFixture : IDisposable
{
    public EnsembleFixture()
    {
        Ml = new MLContext(seed: 1);
        TrainRows = ToyData.Binary(400, 1, ToyData.Split.Train);
        TestRows = ToyData.Binary(200, 2, ToyData.Split.Test);
        Train = Ml.Data.LoadFromEnumerable(TrainRows);
        Ensemble = Fit(size: 3, seed: 1);
        Single = Fit(size: 1, seed: 1);
    }

    public MLContext Ml { get; }
    internal List<ToyData.BinaryRow> TrainRows { get; }
    internal List<ToyData.BinaryRow> TestRows { get; }
    public IDataView Train { get; }
    public RecurrentTextClassifierTransformer Ensemble { get; }
    public RecurrentTextClassifierTransformer Single { get; }

    internal RecurrentTextClassifierTransformer Fit(int size, int seed, Action<RecurrentTextClassifierOptions>? change = null)
    {
        var options = Tiny.Options();
        (options.EnsembleSize, options.Seed, options.PredictionBatchSize) = (size, seed, 7);
        change?.Invoke(options);
        return Ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(Train);
    }

    public void Dispose()
    {
        Ensemble.Dispose();
        Single.Dispose();
    }
}

/// <summary>The classifier's ensemble option: K members trained with seeds seed + k, scores that are the log of their mean
/// probability, save and load (also in a fresh process), checkpoints per member, cancellation and bad values.</summary>
public sealed class ClassifierEnsembleTests(EnsembleFixture fixture) : IClassFixture<EnsembleFixture>
{
    private static float[] Weights(SequenceClassifier m) => m.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void Fit_TrainsKMembers_TheFirstBeingTheSingleClassifierAndMemberKTheOneOfSeedPlusK()
    {
        var members = fixture.Ensemble.Members;
        Assert.Equal(3, members.Count);
        Assert.Equal(3, fixture.Ensemble.MemberTrainingResults!.Count);
        Assert.Same(fixture.Ensemble.MemberTrainingResults[0], fixture.Ensemble.TrainingResult);
        Assert.Same(members[0], fixture.Ensemble.Model);
        Assert.Equal(Weights(fixture.Single.Model), Weights(members[0]));
        Assert.NotEqual(Weights(members[0]), Weights(members[1]));
        using var seed3 = fixture.Fit(size: 1, seed: 3);
        Assert.Equal(Weights(seed3.Model), Weights(members[2]));
        Assert.Single(fixture.Single.Members);
        Assert.Single(fixture.Single.MemberTrainingResults!);
    }

    [Fact]
    public void Transform_ProbabilityIsTheMeanOfTheMembersProbabilities()
    {
        var rows = fixture.TestRows.Take(30).ToList();
        var scored = fixture.Ensemble.Transform(fixture.Ml.Data.LoadFromEnumerable(rows));
        var probability = Columns.Read<float>(scored, "Probability");
        var score = Columns.Read<float>(scored, "Score");
        var encoder = fixture.Ensemble.Core.Encoder;
        var ids = rows.Select(r => encoder.EncodeText(r.Text)).ToList();
        double[] MemberProbability(SequenceClassifier m, long[] x)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (tokens, lengths) = TokenBatch.Pad([x]);
            return m.forward(tokens, lengths).softmax(1).to(ScalarType.Float64).data<double>().ToArray();
        }
        for (int i = 0; i < rows.Count; i++)
        {
            var p = fixture.Ensemble.Members.Select(m => MemberProbability(m, ids[i])[1]).ToArray();
            Assert.Equal(p.Average(), probability[i], 1e-6);
            // ML.NET's binary Score is the margin: the logit of the mean probability.
            Assert.Equal(Math.Log(p.Average() / (1 - p.Average())), score[i], 1e-5);
        }
        var accuracy = Columns.Read<bool>(fixture.Ensemble.Transform(fixture.Ml.Data.LoadFromEnumerable(fixture.TestRows)), "PredictedLabel")
            .Zip(fixture.TestRows).Count(p => p.First == p.Second.Label) / (double)fixture.TestRows.Count;
        Assert.True(accuracy >= 0.9, $"held-out accuracy {accuracy:F3}");   // test sentences never occur in training
    }

    [Fact]
    public void SaveThenLoad_KeepsEveryMember_AndGivesIdenticalScores_AlsoInAFreshProcess()
    {
        var texts = fixture.TestRows.Take(20).Select(r => r.Text).Concat(["", "zebra quokka"]).ToArray();
        var data = fixture.Ml.Data.LoadFromEnumerable(texts.Select(t => new ToyData.TextRow { Text = t }));
        var expected = Columns.Read<float>(fixture.Ensemble.Transform(data), "Score").Select(s => s.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "ensemble.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Ensemble, fixture.Train.Schema, path);
            using (var zip = ZipFile.OpenRead(path))
            {
                var names = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("RnnMl/000/weights.bin", names);
                Assert.Contains("RnnMl/000/weights-1.bin", names);
                Assert.Contains("RnnMl/000/weights-2.bin", names);
                Assert.DoesNotContain("RnnMl/000/weights-3.bin", names);
            }
            using (var loaded = (RecurrentTextClassifierTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _))
            {
                Assert.Equal(3, loaded.Members.Count);
                Assert.Null(loaded.MemberTrainingResults);
                Assert.Equal(expected, Columns.Read<float>(loaded.Transform(data), "Score").Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
            }
            var textsPath = Path.Combine(folder, "texts.txt");
            File.WriteAllLines(textsPath, texts, new UTF8Encoding(false));
            Assert.Equal(expected, RnnModelOperationsTests.RunReloadCheck(path, textsPath));
        });
    }

    [Fact]
    public void Save_OneMember_WritesTheArchiveAsBeforeEnsembles()
    {
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "single.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Single, null, path);
            using var zip = ZipFile.OpenRead(path);
            Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("weights-"));
            using var reader = new StreamReader(zip.GetEntry("RnnMl/000/meta.json")!.Open());
            Assert.DoesNotContain("EnsembleSize", reader.ReadToEnd());
        });
    }

    [Theory]
    [InlineData("4", "'RnnMl/000/weights-3.bin' is missing")]
    [InlineData("0", "EnsembleSize = 0")]
    public void Load_EnsembleSizeEdited_ThrowsNamingTheEntry(string size, string expected)
    {
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "ensemble.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Ensemble, null, path);
            MetadataTamperingTests.Tamper(path, "RnnMl/000/meta.json", "EnsembleSize", size);
            var e = Assert.Throws<InvalidDataException>(() => fixture.Ml.Model.LoadRnnModel(path, out _));
            Assert.Contains(expected, e.Message);
        });
    }

    [Fact]
    public void Fit_WithACheckpointDirectory_CheckpointsEachMemberInItsOwnFolder()
    {
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            using var model = fixture.Fit(size: 2, seed: 1, o => (o.Epochs, o.CheckpointDirectory) = (1, folder));
            Assert.Equal(2, model.Members.Count);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "member-0")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "member-1")));
            Assert.Empty(Directory.GetFiles(folder));
            // Fit again: every member resumes its own finished checkpoint, so the weights are the same.
            using var again = fixture.Fit(size: 2, seed: 1, o => (o.Epochs, o.CheckpointDirectory) = (1, folder));
            Assert.All(again.MemberTrainingResults!, r => Assert.True(r.ResumedFromCheckpoint));
            Assert.Equal(Weights(model.Members[1]), Weights(again.Members[1]));
        });
    }

    [Fact]
    public void Fit_CancelledDuringTheSecondMember_KeepsTheFirst()
    {
        using var cancel = new CancellationTokenSource();
        int epochs = 0;
        var progress = new SynchronousProgress(p => { if (p.CompletedEpoch is not null && ++epochs == 3) cancel.Cancel(); });
        using var model = fixture.Fit(size: 3, seed: 1, o => (o.Epochs, o.Progress, o.CancellationToken) = (2, progress, cancel.Token));
        Assert.Single(model.Members);
        Assert.Equal(TrainingStopReason.Completed, model.TrainingResult!.StopReason);
        Assert.Equal(3, epochs);
    }

    [Fact]
    public void Options_EnsembleSize_DefaultsToThree_AsDocumented()
    {
        Assert.Equal(3, new RecurrentTextClassifierOptions().EnsembleSize);
        Assert.Equal(1, Tiny.Options().EnsembleSize);   // the other tests' fixtures train one model
    }

    [Fact]
    public void Fit_TimeLimitSpentByTheFirstMember_KeepsItAlone()
    {
        using var model = fixture.Fit(size: 3, seed: 1, o => o.MaxTrainingTime = TimeSpan.FromMilliseconds(1));
        Assert.Single(model.Members);
        Assert.Equal(TrainingStopReason.TimeLimitReached, model.TrainingResult!.StopReason);
    }

    [Fact]
    public void ArgumentsOverloads_LeftOut_GiveTheOptionsDefaults_AndGivenValuesWin()
    {
        var defaults = new RecurrentTextClassifierOptions();
        foreach (var o in new[] { fixture.Ml.BinaryClassification.Trainers.RecurrentTextClassifier().Options, fixture.Ml.MulticlassClassification.Trainers.RecurrentTextClassifier().Options })
        {
            Assert.Equal((defaults.Epochs, defaults.MinimumSteps, defaults.LearningRate, defaults.Optimizer, defaults.EnsembleSize),
                (o.Epochs, o.MinimumSteps, o.LearningRate, o.Optimizer, o.EnsembleSize));
        }
        var given = fixture.Ml.BinaryClassification.Trainers.RecurrentTextClassifier(epochs: 7, learningRate: 0.007, ensembleSize: 2).Options;
        Assert.Equal((7, (int?)null, 0.007, 2), (given.Epochs, given.MinimumSteps, given.LearningRate, given.EnsembleSize));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-7)]
    public void Options_EnsembleSizeBelowOne_ThrowsNamingTheOptionAndValue(int size)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Ml.BinaryClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions { EnsembleSize = size }));
        Assert.Equal("EnsembleSize", e.ParamName);
        Assert.Contains($"got {size}", e.Message);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
