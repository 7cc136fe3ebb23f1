using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceDropoutTests
{
    [Fact]
    public void LockedMask_IsTheMaskLockedMultipliesBy_NullWhenNothingDrops()
    {
        using var x = randn(3, 7, 5, ScalarType.Float64);
        manual_seed(11);
        using var y = SequenceDropout.Locked(x, 0.3, training: true);
        manual_seed(11);
        using var mask = SequenceDropout.LockedMask(3, 5, 0.3, training: true, ScalarType.Float64, CPU)!;

        Assert.Equal(new long[] { 3, 1, 5 }, mask.shape);
        Assert.True(y.allclose(x * mask, rtol: 0, atol: 0), "Locked must equal x times the mask drawn the same way");
        Assert.All(mask.data<double>().ToArray(), m => Assert.True(m == 0 || Math.Abs(m - 1 / 0.7) < 1e-15, $"mask value {m}"));
        Assert.Null(SequenceDropout.LockedMask(3, 5, 0.3, training: false, ScalarType.Float64, CPU));
        Assert.Null(SequenceDropout.LockedMask(3, 5, 0, training: true, ScalarType.Float64, CPU));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDropout.LockedMask(3, 5, 1, training: true, ScalarType.Float64, CPU));
        Assert.Equal("p", e.ParamName);
    }

    [Fact]
    public void Locked_InTraining_SharesOneMaskAcrossTimeAndDrawsOnePerSequence()
    {
        manual_seed(7);
        using var x = ones(3, 7, 64, ScalarType.Float64);

        using var y = SequenceDropout.Locked(x, 0.5, training: true);

        var v = y.data<double>().ToArray();
        double At(int n, int t, int f) => v[(n * 7 + t) * 64 + f];
        // Every value is dropped (0) or kept and scaled by 1 / (1 − p) = 2.
        Assert.All(v, value => Assert.True(value == 0 || value == 2, $"value {value}"));
        for (int n = 0; n < 3; n++)
            for (int t = 1; t < 7; t++)
                for (int f = 0; f < 64; f++)
                    Assert.Equal(At(n, 0, f), At(n, t, f));
        // Masks of different sequences differ (equal by chance with probability 2^-64).
        Assert.False(Enumerable.Range(0, 64).All(f => At(0, 0, f) == At(1, 0, f)), "sequences 0 and 1 got the same mask");
        Assert.False(Enumerable.Range(0, 64).All(f => At(1, 0, f) == At(2, 0, f)), "sequences 1 and 2 got the same mask");
        // Some features of each sequence are dropped and some kept.
        for (int n = 0; n < 3; n++)
        {
            int dropped = Enumerable.Range(0, 64).Count(f => At(n, 0, f) == 0);
            Assert.InRange(dropped, 1, 63);
        }
    }

    [Fact]
    public void Locked_InEvalOrAtZero_IsIdentity()
    {
        using var x = randn(2, 7, 5);

        Assert.Same(x, SequenceDropout.Locked(x, 0.5, training: false));
        Assert.Same(x, SequenceDropout.Locked(x, 0.0, training: true));
    }

    [Fact]
    public void Locked_KeepsZeroStepsZero()
    {
        manual_seed(7);
        using var x = ones(2, 7, 16);
        x[0, 4..] = zeros(3, 16);

        using var y = SequenceDropout.Locked(x, 0.3, training: true);

        Assert.Equal(0f, y[0, 4..].abs().sum().item<float>());
    }

    [Fact]
    public void WordTypes_InTraining_DropsEveryOccurrenceOfAWordTogether()
    {
        manual_seed(7);
        // 200 word types; each appears in both sequences, at different positions.
        var ids = Enumerable.Range(0, 200).Select(i => (long)i).ToArray();
        using var tokens = stack(new[] { tensor(ids), tensor(ids.Reverse().ToArray()) });
        using var embedded = ones(2, 200, 3, ScalarType.Float64);

        using var y = SequenceDropout.WordTypes(embedded, tokens, 200, 0.25, training: true);

        var v = y.data<double>().ToArray();
        double Factor(int n, int t) => v[(n * 200 + t) * 3];
        for (int id = 0; id < 200; id++)
        {
            double first = Factor(0, id), second = Factor(1, 199 - id);
            Assert.Equal(first, second);
            Assert.True(first == 0 || Math.Abs(first - 1 / 0.75) < 1e-12, $"factor {first}");
            for (int f = 1; f < 3; f++) Assert.Equal(first, v[id * 3 + f]);
        }
        int dropped = Enumerable.Range(0, 200).Count(id => Factor(0, id) == 0);
        // Binomial(200, 0.25): mean 50, sd 6.1.
        Assert.InRange(dropped, 25, 75);
    }

    [Fact]
    public void WordTypes_InEval_IsIdentity()
    {
        using var tokens = tensor(new long[] { 1, 2, 3, 1 }).reshape(2, 2);
        using var embedded = randn(2, 2, 4);

        Assert.Same(embedded, SequenceDropout.WordTypes(embedded, tokens, 5, 0.5, training: false));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Probability_OutOfRange_ThrowsNamingIt(double p)
    {
        using var x = ones(1, 2, 3);
        using var tokens = zeros(1, 2, ScalarType.Int64);

        var locked = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDropout.Locked(x, p, true));
        var words = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDropout.WordTypes(x, tokens, 4, p, true));

        Assert.Equal("p", locked.ParamName);
        Assert.Equal("p", words.ParamName);
    }
}
