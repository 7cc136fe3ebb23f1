using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="ParameterBudget"/>: its count is a tight lower bound of the real modules' parameter counts, and
/// options beyond the ceiling fail in Validate (before any tensor exists) stating parameters and bytes.</summary>
public class ParameterBudgetTests
{
    public static TheoryData<RecurrentCellKind, int, bool, PoolingKind> Classifiers() => new()
    {
        { RecurrentCellKind.Lstm, 1, true, PoolingKind.MeanMax },
        { RecurrentCellKind.Gru, 2, false, PoolingKind.Last },
        { RecurrentCellKind.Rnn, 3, true, PoolingKind.Attention },
        { RecurrentCellKind.RnnRelu, 1, false, PoolingKind.Max },
    };

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void LowerBound_Classifier_IsAtMostTheRealCountAndWithin15Percent(RecurrentCellKind cell, int layers, bool bidirectional, PoolingKind pooling)
    {
        var options = new SequenceClassifierOptions { VocabularySize = 97, ClassCount = 7, EmbeddingSize = 17, HiddenSize = 23, NumLayers = layers, Bidirectional = bidirectional, Cell = cell, Pooling = pooling };
        using var model = SequenceClassifier.Create(options);
        AssertTight(ParameterBudget.LowerBound(options), model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, false)]
    [InlineData(RecurrentCellKind.Gru, true)]
    public void LowerBound_LanguageModel_IsAtMostTheRealCountAndWithin15Percent(RecurrentCellKind cell, bool tie)
    {
        var options = new LanguageModelOptions { VocabularySize = 97, EmbeddingSize = 23, HiddenSize = 23, NumLayers = 2, Cell = cell, TieWeights = tie };
        using var model = LanguageModel.Create(options);
        AssertTight(ParameterBudget.LowerBound(options), model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(AttentionKind.None, false)]
    [InlineData(AttentionKind.LuongGeneral, false)]
    public void LowerBound_Seq2Seq_IsAtMostTheRealCountAndWithin15Percent(AttentionKind attention, bool bidirectional)
    {
        var options = new Seq2SeqOptions { SourceVocabularySize = 97, TargetVocabularySize = 89, EmbeddingSize = 17, HiddenSize = 23, Bidirectional = bidirectional, Attention = attention };
        using var model = Seq2SeqModel.Create(options);
        AssertTight(ParameterBudget.LowerBound(options), model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, true, true)]
    [InlineData(RecurrentCellKind.Gru, false, false)]
    public void LowerBound_Tagger_IsAtMostTheRealCountAndWithin15Percent(RecurrentCellKind cell, bool bidirectional, bool crf)
    {
        var options = new SequenceTaggerOptions { VocabularySize = 97, TagCount = 7, EmbeddingSize = 17, HiddenSize = 23, NumLayers = 2, Cell = cell, Bidirectional = bidirectional, UseCrf = crf };
        using var model = SequenceTagger.Create(options);
        AssertTight(ParameterBudget.LowerBound(options), model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, 1, true, PoolingKind.MeanMax)]
    [InlineData(RecurrentCellKind.Gru, 2, false, PoolingKind.Last)]
    public void LowerBound_NumericSequence_IsAtMostTheRealCountAndWithin15Percent(RecurrentCellKind cell, int layers, bool bidirectional, PoolingKind pooling)
    {
        var options = new NumericSequenceOptions { FeaturesPerStep = 7, Outputs = 3, Head = NumericSequenceHead.Classification, ProjectionSize = 17, HiddenSize = 23, NumLayers = layers, Bidirectional = bidirectional, Cell = cell, Pooling = pooling };
        using var model = NumericSequenceModel.Create(options);
        AssertTight(ParameterBudget.LowerBound(options), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Validate_HiddenSize100000_ThrowsBeforeAllocatingWithParameterCountAndBytes()
    {
        // On main this reached libtorch and failed with a raw ExternalException (a 160 GB allocation).
        var options = new SequenceClassifierOptions { VocabularySize = 5000, ClassCount = 2, EmbeddingSize = 128, HiddenSize = 100_000 };
        long expected = ParameterBudget.LowerBound(options);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceClassifier.Create(options));
        Assert.Equal("HiddenSize", e.ParamName);
        Assert.Contains($"{expected:N0} parameters", e.Message);
        Assert.Contains($"{expected * 4:N0} bytes", e.Message);
        Assert.Contains("100000", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LanguageModel.Create(new LanguageModelOptions { VocabularySize = 50, HiddenSize = 100_000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqModel.Create(new Seq2SeqOptions { SourceVocabularySize = 50, TargetVocabularySize = 50, HiddenSize = 100_000 }));
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = 50, TagCount = 7, HiddenSize = 100_000 })).ParamName);
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => NumericSequenceModel.Create(new NumericSequenceOptions { FeaturesPerStep = 7, Outputs = 1, HiddenSize = 100_000 })).ParamName);
    }

    [Fact]
    public void Validate_VocabularyTimesEmbeddingAboveTheCeiling_Throws()
    {
        var options = new SequenceClassifierOptions { VocabularySize = 2_000_000, ClassCount = 2, EmbeddingSize = 200, HiddenSize = 8 };
        Assert.Contains("vocabulary size 2000000", Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate()).Message);
        Assert.Same(options with { VocabularySize = 1_000_000 } is var ok ? ok : null, ok.Validate());
    }

    private static void AssertTight(long bound, long actual)
    {
        Assert.True(bound <= actual, $"the lower bound {bound} exceeds the real count {actual}");
        Assert.True(bound >= 0.85 * actual, $"the lower bound {bound} is below 85% of the real count {actual}");
    }
}
