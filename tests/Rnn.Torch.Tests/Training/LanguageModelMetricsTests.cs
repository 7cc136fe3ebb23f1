using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="LanguageModelMetrics"/>: bits per token and perplexity, checked by hand.</summary>
public class LanguageModelMetricsTests
{
    [Fact]
    public void BitsAndPerplexity_OfKnownCrossEntropy_AreItsBase2AndExponential()
    {
        Assert.Equal(1.5, LanguageModelMetrics.BitsPerToken(1.5 * Math.Log(2)), 12);
        Assert.Equal(8.0, LanguageModelMetrics.Perplexity(Math.Log(8)), 12);
        var score = new LanguageModelScore(Math.Log(4), 10);
        Assert.Equal(2.0, score.BitsPerToken, 12);
        Assert.Equal(4.0, score.Perplexity, 12);
    }

    [Fact]
    public void Evaluate_ModelWithZeroOutputLayer_ScoresLog2VBitsAndPerplexityV()
    {
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.StartsWith("output.")) p.zero_();
        var ids = stream.EncodeStream(LanguageModelFixtures.Lines);

        var score = LanguageModelMetrics.Evaluate(model, ids, streams: 3, steps: 7);

        // Every logit is 0, so p = 1/V for every token, whatever it is.
        Assert.Equal(Math.Log2(stream.Count), score.BitsPerToken, 10);
        Assert.Equal(stream.Count, score.Perplexity, 8);
        Assert.Equal((ids.Length - 1) / 3 * 3, score.Tokens);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // float32, one layer of 16: a size libtorch's no_grad kernel gets wrong (RecurrentLayer packs LSTM inference because of it)
    public void Evaluate_TwoTokenPrediction_MatchesHandComputedCrossEntropy(bool float64)
    {
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream, layers: 1, hidden: 16, float64: float64);
        var ids = new long[] { 2, 5, 7 };
        var (logits, _) = model.forward(tensor(new long[] { 2, 5 }).unsqueeze(0));
        var logp = logits.log_softmax(2).to(ScalarType.Float64);
        double expected = -(logp[0, 0, 5].item<double>() + logp[0, 1, 7].item<double>()) / 2;

        var score = LanguageModelMetrics.Evaluate(model, ids, streams: 1, steps: 1);

        Assert.Equal(expected, score.MeanNats, float64 ? 12 : 5);
        Assert.Equal(2, score.Tokens);
    }
}
