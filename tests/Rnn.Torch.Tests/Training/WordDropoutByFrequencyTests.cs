using RnnMl.Text;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="WordDropoutByFrequency"/>: the per-id probabilities α / (α + c) and the rates a seeded batch shows.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class WordDropoutByFrequencyTests : OneTorchThread
{
    // Id 2 occurs once, id 3 three times, id 4 nine times; id 5 never; padding and <unk> occur but are never replaced.
    private static readonly long[][] Corpus =
    {
        new long[] { 2, 3, 4, 4, 4, 1, 1 },
        new long[] { 3, 4, 4, 4, 0 },
        new long[] { 3, 4, 4, 4 },
        Array.Empty<long>(),
    };

    [Fact]
    public void ProbabilityOf_IsAlphaOverAlphaPlusCount_ZeroForPaddingUnknownAndUnseenIds()
    {
        using var dropout = WordDropoutByFrequency.Create(0.5, 7, Corpus);
        Assert.Equal(0.5 / 1.5, dropout.ProbabilityOf(2), 12);
        Assert.Equal(0.5 / 3.5, dropout.ProbabilityOf(3), 12);
        Assert.Equal(0.5 / 9.5, dropout.ProbabilityOf(4), 12);
        Assert.Equal(0, dropout.ProbabilityOf(5));
        Assert.Equal(0, dropout.ProbabilityOf(Vocabulary.PaddingId));
        Assert.Equal(0, dropout.ProbabilityOf(Vocabulary.UnknownId));
        RnnAssert.Throws("id", () => dropout.ProbabilityOf(7), "0 and 6", "7");
    }

    [Fact]
    public void Apply_OnASeededBatch_ReplacesEachIdAtItsRate_AndOnlyByUnknown()
    {
        manual_seed(7);
        using var dropout = WordDropoutByFrequency.Create(1.0, 7, Corpus);
        const int perId = 40_000;
        long[] ids = { 0, 1, 2, 3, 4, 5 };
        using var scope = NewDisposeScope();
        var tokens = tensor(ids).repeat_interleave(perId).view(ids.Length * 200, perId / 200);   // (N, T), each row one id
        var dropped = dropout.Apply(tokens);
        Assert.Equal(tokens.shape, dropped.shape);
        var changed = dropped.ne(tokens);
        Assert.True(dropped.masked_select(changed).eq(Vocabulary.UnknownId).all().item<bool>(), "a token may only become <unk>");
        var rates = changed.view(ids.Length, -1).to_type(ScalarType.Float64).mean(new long[] { 1 }).data<double>().ToArray();
        double[] expected = { 0, 0, 1.0 / 2, 1.0 / 4, 1.0 / 10, 0 };
        for (int i = 0; i < ids.Length; i++)
        {
            double se = Math.Sqrt(expected[i] * (1 - expected[i]) / perId);
            Assert.True(Math.Abs(rates[i] - expected[i]) <= 4 * se + 1e-12, $"id {ids[i]}: replaced {rates[i]:F4} of its tokens, expected {expected[i]:F4} ± {4 * se:F4}");
        }
        manual_seed(7);
        Assert.True(dropout.Apply(tokens).eq(dropped).all().item<bool>(), "the same seed must give the same replacements");
    }

    [Fact]
    public void Create_AndApply_RejectBadArguments_NamingThem()
    {
        RnnAssert.Throws("alpha", () => WordDropoutByFrequency.Create(0, 7, Corpus), "0");
        RnnAssert.Throws("alpha", () => WordDropoutByFrequency.Create(double.PositiveInfinity, 7, Corpus), "Infinity");
        RnnAssert.Throws("vocabularySize", () => WordDropoutByFrequency.Create(1, 1, Corpus), "1");
        RnnAssert.Throws("sentences", () => WordDropoutByFrequency.Create(1, 4, Corpus), "sentence 0", "0 and 3", "4");
        using var dropout = WordDropoutByFrequency.Create(1, 7, Corpus);
        using var scope = NewDisposeScope();
        RnnAssert.Throws("tokens", () => dropout.Apply(tensor(new long[] { 2, 7 })), "0 and 6", "7");
        RnnAssert.Throws("tokens", () => dropout.Apply(tensor(new[] { 2f })), "int64", "Float32");
        dropout.Dispose();
        Assert.Throws<ObjectDisposedException>(() => dropout.ProbabilityOf(2));
        Assert.Throws<ObjectDisposedException>(() => dropout.Apply(tensor(new long[] { 2 })));
    }
}
