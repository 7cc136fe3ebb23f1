using RnnMl.Text.Tagging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// A linear-chain conditional random field over K tags: learned start, end and transition scores on top of per-step
/// emission scores (N, T, K), with the log-partition, the gold-path score, the negative log-likelihood and Viterbi
/// decoding, all masked by sequence lengths so that padded steps never contribute.
/// </summary>
/// <remarks>
/// For a sequence of length T' ≤ T with emissions e (T', K) and tags y, the score is
/// s(y) = start[y₀] + Σ_{t&lt;T'} e[t, yₜ] + Σ_{1≤t&lt;T'} A[yₜ₋₁, yₜ] + end[y_{T'−1}], where A[i, j] (<c>transitions</c>)
/// scores tag j directly after tag i. p(y | e) = exp s(y) / Z with log Z = log Σ_y exp s(y), computed by the forward
/// algorithm in log space: α₀ = start + e₀, αₜ(j) = logsumexpᵢ(αₜ₋₁(i) + A[i, j]) + eₜ(j) for t &lt; T' (α is carried
/// unchanged through padded steps), log Z = logsumexpⱼ(α_{T'−1}(j) + end[j]). The loss is −log p(y | e) = log Z − s(y).
/// A sequence of length 0 has one (empty) path, score 0 and log Z = 0.
/// With <see cref="TagTransitionConstraints"/>, disallowed start, end and transition scores are replaced by
/// <see cref="TagTransitionConstraints.DisallowedScore"/> (−10⁴) in the partition, the gold score and Viterbi alike, so
/// disallowed paths carry no probability mass (exp(−10⁴) vanishes) while a gold path that breaks a constraint (real data
/// has ill-formed spans) still gives a finite loss whose gradient is that of its allowed parts.
/// Parameters: <c>start_transitions</c> (K), <c>end_transitions</c> (K), <c>transitions</c> (K, K); initialised
/// uniformly in [−0.1, 0.1].
/// </remarks>
public sealed class LinearChainCrf : nn.Module
{
    private readonly Parameter startTransitions;
    private readonly Parameter endTransitions;
    private readonly Parameter transitions;
    private readonly Tensor? disallowedStart;
    private readonly Tensor? disallowedEnd;
    private readonly Tensor? disallowedTransitions;
    private readonly int numTags;
    private readonly TagTransitionConstraints? constraints;
    private bool disposed;

    private LinearChainCrf(int numTags, TagTransitionConstraints? constraints, ScalarType dtype, Device? device) : base(nameof(LinearChainCrf))
    {
        this.numTags = numTags;
        this.constraints = constraints;
        startTransitions = nn.Parameter(empty(numTags, dtype: dtype, device: device).uniform_(-0.1, 0.1));
        endTransitions = nn.Parameter(empty(numTags, dtype: dtype, device: device).uniform_(-0.1, 0.1));
        transitions = nn.Parameter(empty(numTags, numTags, dtype: dtype, device: device).uniform_(-0.1, 0.1));
        register_parameter("start_transitions", startTransitions);
        register_parameter("end_transitions", endTransitions);
        register_parameter("transitions", transitions);
        if (constraints is not null)
        {
            var s = new bool[numTags];
            var e = new bool[numTags];
            var a = new bool[numTags * numTags];
            for (int i = 0; i < numTags; i++)
            {
                s[i] = !constraints.IsAllowedStart(i);
                e[i] = !constraints.IsAllowedEnd(i);
                for (int j = 0; j < numTags; j++) a[i * numTags + j] = !constraints.IsAllowed(i, j);
            }
            disallowedStart = tensor(s, device: device);
            disallowedEnd = tensor(e, device: device);
            disallowedTransitions = tensor(a, device: device).view(numTags, numTags);
            register_buffer("disallowed_start", disallowedStart, persistent: false);
            register_buffer("disallowed_end", disallowedEnd, persistent: false);
            register_buffer("disallowed_transitions", disallowedTransitions, persistent: false);
        }
    }

    /// <summary>Creates a CRF over <paramref name="numTags"/> tags (seed torch first for repeatable initial scores).</summary>
    /// <param name="numTags">K, at least 1.</param>
    /// <param name="constraints">Optional hard constraints over the same K tags, e.g. <see cref="TagTransitionConstraints.FromTagNames"/>.</param>
    /// <param name="dtype">Parameter type; default float32.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numTags"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The constraints are over a different number of tags.</exception>
    public static LinearChainCrf Create(int numTags, TagTransitionConstraints? constraints = null, ScalarType? dtype = null, Device? device = null)
    {
        if (numTags < 1)
            throw new ArgumentOutOfRangeException(nameof(numTags), numTags, $"numTags must be at least 1, got {numTags}");
        if (constraints is not null && constraints.NumTags != numTags)
            throw new ArgumentException($"constraints are over {constraints.NumTags} tags, but numTags is {numTags}", nameof(constraints));
        return new LinearChainCrf(numTags, constraints, dtype ?? ScalarType.Float32, device);
    }

    /// <summary>K, the number of tags.</summary>
    public int NumTags => Live(numTags);

    /// <summary>The hard constraints, or null.</summary>
    public TagTransitionConstraints? Constraints => Live(constraints);

    /// <summary>Start scores (K): <c>start_transitions[j]</c> scores a sequence starting with tag j.</summary>
    public Parameter StartTransitions => Live(startTransitions);

    /// <summary>End scores (K).</summary>
    public Parameter EndTransitions => Live(endTransitions);

    /// <summary>Transition scores (K, K): <c>transitions[i, j]</c> scores tag j directly after tag i.</summary>
    public Parameter Transitions => Live(transitions);

    /// <summary>log Z for each sequence, by the forward algorithm (see remarks).</summary>
    /// <param name="emissions">(N, T, K) emission scores, float.</param>
    /// <param name="lengths">(N) int64 lengths, each in [0, T]; steps at and after a length are ignored.</param>
    /// <returns>(N) log-partition values, differentiable with respect to the emissions and the parameters.</returns>
    /// <exception cref="ArgumentException">A shape, a type or a length is wrong.</exception>
    public Tensor LogPartition(Tensor emissions, Tensor lengths)
    {
        var (n, steps) = CheckEmissions(emissions, lengths);
        using var scope = NewDisposeScope();
        var (start, end, trans) = Effective();
        var lens = lengths.to(emissions.device);
        if (steps == 0) return zeros(n, dtype: emissions.dtype, device: emissions.device).MoveToOuterDisposeScope();
        var alpha = start.unsqueeze(0) + emissions.select(1, 0);
        for (long t = 1; t < steps; t++)
        {
            using var step = t.ToScalar(); // held to the end of the step: see PinnedScalars
            var next = alpha.unsqueeze(2).add(trans.unsqueeze(0), PinnedScalars.One).logsumexp(1).add(emissions.select(1, t), PinnedScalars.One);
            alpha = where(lens.gt(step).unsqueeze(1), next, alpha);
        }
        var logZ = (alpha + end.unsqueeze(0)).logsumexp(1);
        return where(lens.gt(0), logZ, zeros_like(logZ)).MoveToOuterDisposeScope();
    }

    /// <summary>The score s(y) of the given tag paths (see remarks).</summary>
    /// <param name="emissions">(N, T, K) emission scores.</param>
    /// <param name="tags">(N, T) int64 tags, each in [0, K) at valid steps; values at padded steps are ignored.</param>
    /// <param name="lengths">(N) int64 lengths, each in [0, T].</param>
    /// <returns>(N) path scores.</returns>
    /// <exception cref="ArgumentException">A shape, a type, a length or a tag is out of range.</exception>
    public Tensor Score(Tensor emissions, Tensor tags, Tensor lengths)
    {
        var (n, steps) = CheckEmissions(emissions, lengths);
        using var scope = NewDisposeScope();
        var lens = lengths.to(emissions.device);
        var valid = arange(steps, ScalarType.Int64, emissions.device).unsqueeze(0).lt(lens.unsqueeze(1));
        var y = CheckTags(tags, valid, n, steps).to(emissions.device);
        var (start, end, trans) = Effective();
        var zero = zeros(n, dtype: emissions.dtype, device: emissions.device);
        if (steps == 0) return zero.MoveToOuterDisposeScope();
        // Explicit scalars held to the end of the call, not implicit conversions: see PinnedScalars (a collection on another
        // thread freed the implicit K of "y * NumTags" mid-call in a bench run: "Unknown scalar type" from libtorch's mul).
        using var k = NumTags.ToScalar();
        using var none = 0.ToScalar();
        var emitted = emissions.gather(2, y.unsqueeze(2)).squeeze(2).masked_fill(valid.logical_not(), none).sum(1);
        var total = emitted.add(where(lens.gt(none), start.index_select(0, y.select(1, 0)), zero), PinnedScalars.One);
        if (steps > 1)
        {
            var pairs = y.narrow(1, 0, steps - 1).mul(k).add(y.narrow(1, 1, steps - 1), PinnedScalars.One);
            var moved = trans.reshape(-1).index_select(0, pairs.reshape(-1)).view(n, steps - 1);
            total = total.add(moved.masked_fill(valid.narrow(1, 1, steps - 1).logical_not(), none).sum(1), PinnedScalars.One);
        }
        var last = y.gather(1, lens.sub(PinnedScalars.One).clamp_min(none).unsqueeze(1)).squeeze(1);
        total = total.add(where(lens.gt(none), end.index_select(0, last), zero), PinnedScalars.One);
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>−log p(tags | emissions) = log Z − s(tags) for each sequence; sum or average it for a loss.</summary>
    /// <param name="emissions">(N, T, K) emission scores.</param>
    /// <param name="tags">(N, T) int64 gold tags (padded steps ignored).</param>
    /// <param name="lengths">(N) int64 lengths, each in [0, T].</param>
    /// <returns>(N) non-negative losses.</returns>
    /// <exception cref="ArgumentException">A shape, a type, a length or a tag is out of range.</exception>
    public Tensor NegativeLogLikelihood(Tensor emissions, Tensor tags, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var score = Score(emissions, tags, lengths);
        return (LogPartition(emissions, lengths) - score).MoveToOuterDisposeScope();
    }

    /// <summary>The highest-scoring tag path of each sequence (Viterbi; ties go to the lowest tag id), respecting the constraints.</summary>
    /// <param name="emissions">(N, T, K) emission scores; decoded in float64 on the CPU by <see cref="Viterbi"/>.</param>
    /// <param name="lengths">(N) int64 lengths, each in [0, T].</param>
    /// <returns>For each sequence its tags (length = its length) and its path score s(y).</returns>
    /// <exception cref="ArgumentException">A shape, a type or a length is wrong.</exception>
    public (long[][] Tags, double[] Scores) Decode(Tensor emissions, Tensor lengths)
    {
        var (n, steps) = CheckEmissions(emissions, lengths);
        double[] e, s, f, a;
        long[] lens;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            e = ToDoubles(emissions);
            s = ToDoubles(startTransitions);
            f = ToDoubles(endTransitions);
            a = ToDoubles(transitions);
            lens = n == 0 ? Array.Empty<long>() : lengths.cpu().data<long>().ToArray();
        }
        Constraints?.Apply(s, f, a);
        var tags = new long[n][];
        var scores = new double[n];
        int k = NumTags;
        for (int i = 0; i < n; i++)
        {
            int len = (int)lens[i];
            (tags[i], scores[i]) = Viterbi.Decode(e.AsSpan((int)(i * steps * k), len * k), len, s, f, a);
        }
        return (tags, scores);
    }

    // TorchSharp 0.107's TensorAccessor.ToArray throws ArgumentOutOfRangeException on an empty tensor (N = 0 or T = 0);
    // guarded by LinearChainCrfTests.PaddedBatch_EqualsEachSequenceAlone_AndPaddingValuesDoNotMatter (a length-0 sequence).
    private static double[] ToDoubles(Tensor t)
        => t.numel() == 0 ? Array.Empty<double>() : t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    private (Tensor Start, Tensor End, Tensor Transitions) Effective()
        => disallowedStart is null
            ? (startTransitions, endTransitions, transitions)
            : (startTransitions.masked_fill(disallowedStart, TagTransitionConstraints.DisallowedScore),
               endTransitions.masked_fill(disallowedEnd!, TagTransitionConstraints.DisallowedScore),
               transitions.masked_fill(disallowedTransitions!, TagTransitionConstraints.DisallowedScore));

    /// <summary>Releases the parameters; afterwards every method throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }

    private T Live<T>(T value)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return value;
    }

    private (long N, long T) CheckEmissions(Tensor emissions, Tensor lengths)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(emissions);
        ArgumentNullException.ThrowIfNull(lengths);
        if (emissions.dim() != 3)
            throw new ArgumentException($"emissions must be 3-D (N, T, K), got {emissions.dim()}-D", nameof(emissions));
        if (!emissions.is_floating_point())
            throw new ArgumentException($"emissions must be floating point, got {emissions.dtype}", nameof(emissions));
        if (emissions.shape[2] != NumTags)
            throw new ArgumentException($"emissions must have K = {NumTags} scores per step, got {emissions.shape[2]}", nameof(emissions));
        long n = emissions.shape[0], steps = emissions.shape[1];
        if (lengths.dim() != 1 || lengths.shape[0] != n)
            throw new ArgumentException($"lengths must be 1-D with N = {n} entries, got shape [{string.Join(", ", lengths.shape)}]", nameof(lengths));
        if (lengths.dtype != ScalarType.Int64)
            throw new ArgumentException($"lengths must be Int64, got {lengths.dtype}", nameof(lengths));
        if (n > 0)
        {
            using var range = stack(new[] { lengths.min(), lengths.max() });
            var r = range.cpu().data<long>();
            if (r[0] < 0 || r[1] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths must be between 0 and T = {steps}, got {(r[0] < 0 ? r[0] : r[1])}");
        }
        return (n, steps);
    }

    private Tensor CheckTags(Tensor tags, Tensor valid, long n, long steps)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.dim() != 2 || tags.shape[0] != n || tags.shape[1] != steps)
            throw new ArgumentException($"tags must be (N, T) = ({n}, {steps}), got shape [{string.Join(", ", tags.shape)}]", nameof(tags));
        if (tags.dtype != ScalarType.Int64)
            throw new ArgumentException($"tags must be Int64, got {tags.dtype}", nameof(tags));
        var y = tags.to(valid.device).masked_fill(valid.logical_not(), PinnedScalars.Zero);
        if (y.numel() > 0)
        {
            using var range = stack(new[] { y.min(), y.max() });
            var r = range.cpu().data<long>();
            if (r[0] < 0 || r[1] >= NumTags)
                throw new ArgumentOutOfRangeException(nameof(tags), $"tags at valid steps must be between 0 and {NumTags - 1}, got {(r[0] < 0 ? r[0] : r[1])}");
        }
        return y;
    }
}
