using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary>
/// <see cref="LinearChainCrf"/> in float64 against brute-force enumeration of every tag sequence, finite differences,
/// one-by-one evaluation of a padded batch, hard constraints, and input validation.
/// </summary>
public class LinearChainCrfTests
{
    private const ScalarType F64 = ScalarType.Float64;

    /// <summary>A float64 CRF with scores of unit scale (larger than the initial ±0.1, so that transitions matter).</summary>
    private static LinearChainCrf Crf(int k, TagTransitionConstraints? constraints = null)
    {
        var crf = LinearChainCrf.Create(k, constraints, F64);
        using var noGrad = no_grad();
        crf.StartTransitions.copy_(randn(k, F64));
        crf.EndTransitions.copy_(randn(k, F64));
        crf.Transitions.copy_(randn(k, k, F64));
        return crf;
    }

    private static double[] Data(Tensor t) => t.detach().to(F64).contiguous().data<double>().ToArray();

    /// <summary>s(y) computed term by term from the raw parameters (no constraints).</summary>
    private static double PathScore(LinearChainCrf crf, double[] e, long[] y)
    {
        int k = crf.NumTags;
        var s = Data(crf.StartTransitions);
        var f = Data(crf.EndTransitions);
        var a = Data(crf.Transitions);
        if (y.Length == 0) return 0;
        double score = s[y[0]] + f[y[^1]];
        for (int t = 0; t < y.Length; t++) score += e[t * k + y[t]];
        for (int t = 1; t < y.Length; t++) score += a[y[t - 1] * k + y[t]];
        return score;
    }

    /// <summary>Every sequence of <paramref name="length"/> tags out of K.</summary>
    private static IEnumerable<long[]> AllPaths(int k, int length)
    {
        long count = (long)Math.Pow(k, length);
        for (long code = 0; code < count; code++)
        {
            var y = new long[length];
            long c = code;
            for (int t = length - 1; t >= 0; t--) { y[t] = c % k; c /= k; }
            yield return y;
        }
    }

    private static (double LogZ, long[] Best, double BestScore) BruteForce(LinearChainCrf crf, double[] e, int length, Func<long[], bool>? keep = null)
    {
        var scores = new List<double>();
        long[] best = Array.Empty<long>();
        double bestScore = double.NegativeInfinity;
        foreach (var y in AllPaths(crf.NumTags, length))
        {
            if (keep is not null && !keep(y)) continue;
            double v = PathScore(crf, e, y);
            scores.Add(v);
            if (v > bestScore) { bestScore = v; best = y; }
        }
        double max = scores.Max();
        return (max + Math.Log(scores.Sum(v => Math.Exp(v - max))), best, bestScore);
    }

    [Fact]
    public void LogPartitionScoreAndViterbi_EqualBruteForceOverAllTagSequences()
    {
        using var scope = NewDisposeScope();
        for (int k = 1; k <= 4; k++)
            for (int length = 1; length <= 5; length++)
            {
                using var crf = Crf(k);
                var emissions = randn(1, length, k, F64) * 2;
                var lengths = tensor(new long[] { length });
                var e = Data(emissions);
                var (logZ, best, bestScore) = BruteForce(crf, e, length);

                double actual = crf.LogPartition(emissions, lengths).item<double>();
                Assert.True(Math.Abs(actual - logZ) <= 1e-10, $"K={k} T={length}: log Z {actual:R} vs brute force {logZ:R}");

                var (tags, scores) = crf.Decode(emissions, lengths);
                Assert.Equal(best, tags[0]);
                Assert.True(Math.Abs(scores[0] - bestScore) <= 1e-10, $"K={k} T={length}: Viterbi score {scores[0]:R} vs {bestScore:R}");

                var path = randint(k, new long[] { 1, length });
                double gold = crf.Score(emissions, path, lengths).item<double>();
                double expected = PathScore(crf, e, path.data<long>().ToArray());
                Assert.True(Math.Abs(gold - expected) <= 1e-10, $"K={k} T={length}: score {gold:R} vs {expected:R}");
            }
    }

    [Fact]
    public void NegativeLogLikelihood_Float64_AutogradMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        using var crf = Crf(3);
        var emissions = randn(3, 4, 3, F64).requires_grad_();
        var tags = tensor(new long[] { 0, 2, 1, 1, 2, 2, 0, 0, 1, 0, 0, 0 }).view(3, 4);
        var lengths = tensor(new long[] { 4, 2, 1 });
        // Fixed weights make every sequence's loss count differently.
        var weights = tensor(new[] { 1.0, 0.7, 1.3 }, F64);
        Tensor Loss() => (crf.NegativeLogLikelihood(emissions, tags, lengths) * weights).sum();

        var inputs = new[] { emissions, crf.StartTransitions, crf.EndTransitions, crf.Transitions };
        var result = GradientCheck.Check(Loss, inputs);
        Assert.True(result.RelativeError <= 1e-6, $"relative error {result.RelativeError:E3}");
        Assert.Equal(3 * 4 * 3 + 3 + 3 + 9, result.ElementsChecked);

        // The loss really depends on the parameters (a zero gradient would pass trivially), and padded steps have none.
        var grads = autograd.grad(new[] { Loss() }, inputs.ToList());
        for (int i = 0; i < inputs.Length; i++)
            Assert.True(grads[i].abs().max().item<double>() > 1e-3, $"input {i} has an all-zero gradient");
        Assert.Equal(0.0, grads[0][1, TensorIndex.Slice(2)].abs().max().item<double>());
        Assert.Equal(0.0, grads[0][2, TensorIndex.Slice(1)].abs().max().item<double>());
    }

    [Fact]
    public void PaddedBatch_EqualsEachSequenceAlone_AndPaddingValuesDoNotMatter()
    {
        using var scope = NewDisposeScope();
        using var crf = Crf(4);
        long[] lens = { 5, 3, 1, 0 };
        var emissions = randn(4, 5, 4, F64);
        var tags = randint(4, new long[] { 4, 5 });
        var lengths = tensor(lens);
        var logZ = crf.LogPartition(emissions, lengths);
        var score = crf.Score(emissions, tags, lengths);
        var nll = crf.NegativeLogLikelihood(emissions, tags, lengths);
        var (paths, pathScores) = crf.Decode(emissions, lengths);

        // Garbage at padded steps (huge scores, out-of-range tags) changes nothing.
        var valid = arange(5).unsqueeze(0).lt(lengths.unsqueeze(1));
        var noisy = emissions.masked_fill(valid.logical_not().unsqueeze(2), 1e6);
        var noisyTags = tags.masked_fill(valid.logical_not(), 7);
        RnnAssert.Equal(logZ, crf.LogPartition(noisy, lengths), "log Z with garbage padding");
        RnnAssert.Equal(score, crf.Score(noisy, noisyTags, lengths), "score with garbage padding");
        Assert.Equal(paths, crf.Decode(noisy, lengths).Tags);

        for (int i = 0; i < 4; i++)
        {
            var one = emissions[TensorIndex.Slice(i, i + 1), TensorIndex.Slice(0, lens[i])];
            var oneTags = tags[TensorIndex.Slice(i, i + 1), TensorIndex.Slice(0, lens[i])];
            var oneLength = tensor(new[] { lens[i] });
            Assert.Equal(crf.LogPartition(one, oneLength).item<double>(), logZ[i].item<double>(), 12);
            Assert.Equal(crf.Score(one, oneTags, oneLength).item<double>(), score[i].item<double>(), 12);
            var (alone, aloneScore) = crf.Decode(one, oneLength);
            Assert.Equal(alone[0], paths[i]);
            Assert.Equal(aloneScore[0], pathScores[i], 12);
            Assert.Equal(lens[i], paths[i].Length);
            Assert.True(nll[i].item<double>() >= -1e-12, $"sequence {i}: NLL {nll[i].item<double>()} is negative");
        }
        // The empty sequence: one empty path, log Z = score = 0.
        Assert.Equal(0.0, logZ[3].item<double>());
        Assert.Equal(0.0, score[3].item<double>());
        Assert.Equal(0.0, pathScores[3]);
    }

    [Fact]
    public void Constraints_PartitionAndViterbiEqualBruteForceOverAllowedSequencesOnly()
    {
        using var scope = NewDisposeScope();
        string[] names = { "O", "B-PER", "I-PER", "B-LOC", "I-LOC" };
        var constraints = TagTransitionConstraints.FromTagNames(names, TagScheme.Bio);
        using var crf = Crf(names.Length, constraints);
        // Favour the disallowed choices, so that an unconstrained decoder would pick them.
        using (no_grad())
        {
            crf.StartTransitions[2].fill_(5.0);
            crf.Transitions[0, 4].fill_(5.0);
            crf.Transitions[1, 4].fill_(5.0);
        }
        for (int length = 1; length <= 4; length++)
        {
            var emissions = randn(1, length, names.Length, F64);
            emissions[0, TensorIndex.Ellipsis, 4].add_(3.0);
            var lengths = tensor(new long[] { length });
            var e = Data(emissions);
            var (logZ, best, bestScore) = BruteForce(crf, e, length, y => constraints.Allows(y));
            double actual = crf.LogPartition(emissions, lengths).item<double>();
            Assert.True(Math.Abs(actual - logZ) <= 1e-10, $"T={length}: constrained log Z {actual:R} vs brute force {logZ:R}");
            var (tags, scores) = crf.Decode(emissions, lengths);
            Assert.True(constraints.Allows(tags[0]), $"T={length}: Viterbi returned a disallowed path [{string.Join(", ", tags[0])}]");
            Assert.Equal(best, tags[0]);
            Assert.True(Math.Abs(scores[0] - bestScore) <= 1e-10, $"T={length}: {scores[0]:R} vs {bestScore:R}");
        }
        // The unconstrained argmax is disallowed here, so the test above could fail.
        using var free = LinearChainCrf.Create(names.Length, dtype: F64);
        free.load_state_dict(crf.state_dict());
        var x = randn(1, 3, names.Length, F64);
        x[0, TensorIndex.Ellipsis, 4].add_(3.0);
        Assert.False(constraints.Allows(free.Decode(x, tensor(new long[] { 3 })).Tags[0]));
    }

    [Fact]
    public void Constraints_DisallowedScoresGetNoGradient_AndAnIllFormedGoldPathHasAFiniteLoss()
    {
        using var scope = NewDisposeScope();
        var constraints = TagTransitionConstraints.FromTagNames(new[] { "O", "B-X", "I-X" }, TagScheme.Bio);
        using var crf = Crf(3, constraints);
        var emissions = randn(1, 3, 3, F64);
        var tags = tensor(new long[] { 0, 2, 2 }).view(1, 3); // O I-X I-X: I-X after O is disallowed
        var loss = crf.NegativeLogLikelihood(emissions, tags, tensor(new long[] { 3 })).sum();
        Assert.True(double.IsFinite(loss.item<double>()) && loss.item<double>() > 1000, $"loss {loss.item<double>()}");
        loss.backward();
        Assert.Equal(0.0, crf.Transitions.grad![0, 2].item<double>());
        Assert.Equal(0.0, crf.StartTransitions.grad![2].item<double>());
        Assert.NotEqual(0.0, crf.Transitions.grad![2, 2].item<double>());
    }

    [Fact]
    public void BadInputs_NameTheArgumentAndBothValues()
    {
        using var scope = NewDisposeScope();
        using var crf = LinearChainCrf.Create(3);
        var lengths = tensor(new long[] { 5, 2 });
        RnnAssert.Throws("emissions", () => crf.LogPartition(randn(2, 5, 7), lengths), "3", "7");
        RnnAssert.Throws("emissions", () => crf.LogPartition(randn(2, 7), lengths), "2");
        RnnAssert.Throws("emissions", () => crf.LogPartition(randint(3, new long[] { 2, 5, 3 }), lengths), "Int64");
        RnnAssert.Throws("lengths", () => crf.LogPartition(randn(2, 5, 3), tensor(new long[] { 1, 2, 3, 4, 5, 6, 7 })), "2", "7");
        RnnAssert.Throws("lengths", () => crf.LogPartition(randn(2, 5, 3), tensor(new long[] { 7, 2 })), "5", "7");
        RnnAssert.Throws("lengths", () => crf.Decode(randn(2, 5, 3), tensor(new long[] { -7, 2 })), "-7");
        RnnAssert.Throws("lengths", () => crf.LogPartition(randn(2, 5, 3), tensor(new[] { 5, 2 })), "Int32");
        RnnAssert.Throws("tags", () => crf.Score(randn(2, 5, 3), full(2, 5, 7L), lengths), "2", "7");
        RnnAssert.Throws("tags", () => crf.Score(randn(2, 5, 3), zeros(2, 7, ScalarType.Int64), lengths), "5", "7");
        RnnAssert.Throws("numTags", () => LinearChainCrf.Create(-7), "-7");
        var seven = TagTransitionConstraints.FromTagNames(new[] { "O", "B-A", "I-A", "B-B", "I-B", "B-C", "I-C" }, TagScheme.Bio);
        RnnAssert.Throws("constraints", () => LinearChainCrf.Create(3, seven), "3", "7");
    }

    [Fact]
    public void AfterDispose_EveryMethodThrowsObjectDisposedException()
    {
        using var scope = NewDisposeScope();
        var crf = LinearChainCrf.Create(3);
        crf.Dispose();
        var e = randn(1, 2, 3);
        var lengths = tensor(new long[] { 2 });
        Assert.Throws<ObjectDisposedException>(() => crf.LogPartition(e, lengths));
        Assert.Throws<ObjectDisposedException>(() => crf.Score(e, zeros(1, 2, ScalarType.Int64), lengths));
        Assert.Throws<ObjectDisposedException>(() => crf.Decode(e, lengths));
        Assert.Throws<ObjectDisposedException>(() => crf.NegativeLogLikelihood(e, zeros(1, 2, ScalarType.Int64), lengths));
        Assert.Throws<ObjectDisposedException>(() => crf.NumTags);
        Assert.Throws<ObjectDisposedException>(() => crf.Constraints);
        Assert.Throws<ObjectDisposedException>(() => crf.StartTransitions);
        Assert.Throws<ObjectDisposedException>(() => crf.EndTransitions);
        Assert.Throws<ObjectDisposedException>(() => crf.Transitions);
    }
}
