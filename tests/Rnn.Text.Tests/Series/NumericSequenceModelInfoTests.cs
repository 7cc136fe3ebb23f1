using RnnMl.Text.Export;

namespace RnnMl.Text.Tests.Series;

/// <summary><see cref="NumericSequenceModelInfo"/>: its metadata round-trips exactly, and bad values are refused naming what is wrong.</summary>
public class NumericSequenceModelInfoTests
{
    [Fact]
    public void Metadata_RoundTripsEveryField()
    {
        var info = new NumericSequenceModelInfo([0.1, -3e7], [2.5, 1e-3], classNames: ["a", "b", "c"], forwardFill: true).WithModel(2, 3, classification: true);
        var back = NumericSequenceModelInfo.FromMetadata(info.ToMetadata());
        Assert.Equal((2, 3, true, true), (back.FeaturesPerStep, back.Outputs, back.Classification, back.ForwardFill));
        Assert.Equal(info.FeatureMeans, back.FeatureMeans);
        Assert.Equal(info.FeatureStds, back.FeatureStds);
        Assert.Equal(info.ClassNames, back.ClassNames);
        var regression = NumericSequenceModelInfo.FromMetadata(new NumericSequenceModelInfo(labelMean: 51.25, labelStd: 0.1 + 0.2).WithModel(1, 1, false).ToMetadata());
        Assert.Equal((false, 51.25, 0.1 + 0.2, false), (regression.Classification, regression.LabelMean, regression.LabelStd, regression.ForwardFill));
        Assert.Null(regression.FeatureMeans);
    }

    [Fact]
    public void BadValues_AreRefusedNamingThem()
    {
        Assert.Contains("one mean per feature: the model has F = 3, got 2 means",
            Assert.Throws<ArgumentException>(() => new NumericSequenceModelInfo([0, 0], [1, 1]).WithModel(3, 1, false)).Message);
        Assert.Contains("feature 1 must have a finite mean and a finite std > 0, got 0 and 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new NumericSequenceModelInfo([0, 0], [1, 0])).Message);
        Assert.Contains("class names must name the model's 3 classes, got 2",
            Assert.Throws<ArgumentException>(() => new NumericSequenceModelInfo(classNames: ["a", "b"]).WithModel(1, 3, true)).Message);
        Assert.Contains("a classifier has no label scaling",
            Assert.Throws<ArgumentException>(() => new NumericSequenceModelInfo(labelStd: 2).WithModel(1, 2, true)).Message);
        var map = new Dictionary<string, string>(new NumericSequenceModelInfo().WithModel(1, 1, false).ToMetadata()) { ["rnnml.head"] = "Ranking" };
        Assert.Contains("'rnnml.head' must be Regression or Classification, got 'Ranking'", Assert.Throws<InvalidDataException>(() => NumericSequenceModelInfo.FromMetadata(map)).Message);
        map.Remove("rnnml.head");
        Assert.Contains("'rnnml.head'", Assert.Throws<InvalidDataException>(() => NumericSequenceModelInfo.FromMetadata(map)).Message);
        Assert.Throws<InvalidOperationException>(() => new NumericSequenceModelInfo().ToMetadata());
    }
}
