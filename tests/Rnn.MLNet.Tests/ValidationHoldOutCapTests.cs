using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Pipeline;

namespace RnnMl.MLNet.Tests;

/// <summary>The classifier's <see cref="RecurrentTextClassifierOptions.MaxValidationRows"/>: the hold-out taken by
/// <c>ValidationFraction</c> is capped, so the rest of the rows train.</summary>
public class ValidationHoldOutCapTests
{
    [Fact]
    public void Default_Is2000()
    {
        Assert.Equal(2_000, new RecurrentTextClassifierOptions().MaxValidationRows);
    }

    [Theory]
    [InlineData(7, 93)]     // half of 100 would be 50: the cap keeps 93 rows for training
    [InlineData(60, 50)]    // a cap above the fraction's 50 rows changes nothing
    [InlineData(null, 50)]  // no cap: the fraction alone
    public void Fit_CapsTheHeldOutRows_TheRestTrain(int? cap, int expectedTrainRows)
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(1);
        options.ValidationFraction = 0.5;
        options.MaxValidationRows = cap;

        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(100, 3)));

        var epoch = Assert.Single(model.TrainingResult!.History);
        Assert.Equal(expectedTrainRows, epoch.TrainCount);
        // Validated on exactly the other rows: the accuracy is a whole number of rows out of 100 − trained.
        double correct = epoch.ValidationMetrics["accuracy"] * (100 - expectedTrainRows);
        Assert.Equal(Math.Round(correct), correct, 6);
    }

    [Fact]
    public void Split_WithACap_TakesAtMostThatManyRows_FromTheSameDraw()
    {
        var rows = Enumerable.Range(0, 100).ToList();
        foreach (bool last in new[] { false, true })
        {
            var (train, valid) = HoldOut.Split(rows, 0.5, seed: 7, lastRows: last, maxRows: 7);
            Assert.Equal(7, valid.Count);
            Assert.Equal(rows, train.Concat(valid).Order());
        }
        Assert.Equal(Enumerable.Range(93, 7), HoldOut.Split(rows, 0.5, seed: 7, lastRows: true, maxRows: 7).Valid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Create_WithACapBelowOne_ThrowsNamingTheOptionAndTheValue(int cap)
    {
        var options = Tiny.Options();
        options.MaxValidationRows = cap;

        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).BinaryClassification.Trainers.RecurrentTextClassifier(options));

        Assert.Equal(nameof(RecurrentTextClassifierOptions.MaxValidationRows), e.ParamName);
        Assert.Contains("at least 1", e.Message);
        Assert.Contains($"got {cap}", e.Message);
    }
}
