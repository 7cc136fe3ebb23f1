using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>The forward pass of <see cref="SegmentRecurrentForecaster"/> (shapes and equations in its remarks).</summary>
public sealed partial class SegmentRecurrentForecaster
{
    private (Tensor Point, Tensor? Quantiles) Run(Tensor x, Tensor? covariates, bool withQuantiles)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 3) throw new ArgumentException($"x must be 3-D (N, L, C), got {x.dim()}-D", nameof(x));
        if (x.shape[1] != Lookback) throw new ArgumentException($"x has L = {x.shape[1]} steps, the model takes L = {Lookback}", nameof(x));
        if (Channels is int fixedC && x.shape[2] != fixedC)
            throw new ArgumentException($"x has C = {x.shape[2]} channels, the model takes C = {fixedC}", nameof(x));
        long n = x.shape[0], c = x.shape[2];
        CheckCovariates(covariates, n);
        int heads = 1 + quantiles.Length, p = StepValues;
        bool joint = ChannelMode == ForecasterChannelMode.Joint;
        var (z, offset, scale) = normalization.Normalize(x);
        // Sequences (B, L, P): independent B = N·C, P = 1; joint B = N, P = C.
        var values = joint ? z : z.permute(0, 2, 1).reshape(n * c, Lookback, 1);
        long b = values.shape[0];
        Tensor? k = null;                                                              // (B, L + H, K)
        if (Covariates > 0)
            k = joint ? covariates!.to(z.dtype) : covariates!.to(z.dtype).unsqueeze(1).expand(n, c, Lookback + Horizon, Covariates).reshape(b, Lookback + Horizon, Covariates);
        var steps = k is null ? values : cat([values, k[.., ..Lookback, ..]], 2);     // (B, L, P + K)
        var segments = steps.reshape(b, Lookback / SegmentLength, SegmentLength * (p + Covariates));
        var (_, hidden) = gru.call(nn.functional.relu(segment.call(segments)));
        var y = OutputMode == ForecastOutputMode.Direct
            ? ApplyHead(hidden[-1], k is null ? null : k[.., Lookback.., ..], b, heads, Horizon, p)
            : Rollout(hidden, k, b, heads, p);                                          // (B, 1+Q, H, P)
        if (skip is not null)
        {
            var perChannel = values.permute(0, 2, 1);                                   // (B, P, L)
            y = y + skip.call(perChannel).permute(0, 2, 1).unsqueeze(1);                // (B, 1, H, P)
        }
        // → (N, H, C, 1+Q), then denormalise (offset and scale broadcast over the heads).
        y = joint
            ? y.permute(0, 2, 3, 1)
            : y.reshape(n, c, heads, Horizon).permute(0, 3, 1, 2);
        var denormalized = normalization.Denormalize(y, offset.unsqueeze(-1), scale?.unsqueeze(-1));
        var point = denormalized[.., .., .., 0];
        Tensor? q = withQuantiles ? denormalized[.., .., .., 1..] : null;
        if (q is not null && intervalScale != 1) q = point.unsqueeze(-1) + intervalScale * (q - point.unsqueeze(-1));
        return (point, q);
    }

    /// <summary>The head on the hidden state (B, D) and the covariates of the steps it forecasts (B, S, K): (B, 1+Q, S, P).</summary>
    private Tensor ApplyHead(Tensor hidden, Tensor? future, long b, int heads, int steps, int p)
    {
        var input = future is null ? hidden : cat([hidden, future.reshape(b, steps * Covariates)], 1);
        return output.call(dropout.call(input)).reshape(b, heads, steps, p);
    }

    /// <summary>Recursive output: ⌈H/w⌉ segments, each forecast from the hidden state and fed back; (B, 1+Q, H, P).</summary>
    private Tensor Rollout(Tensor hidden, Tensor? k, long b, int heads, int p)
    {
        int w = SegmentLength, blocks = (Horizon + w - 1) / w;
        Tensor? future = null;                                                         // (B, blocks·w, K), zero-padded
        if (k is not null)
        {
            future = k[.., Lookback.., ..];
            int pad = blocks * w - Horizon;
            if (pad > 0) future = cat([future, zeros(b, pad, Covariates, dtype: future.dtype, device: future.device)], 1);
        }
        var outputs = new List<Tensor>(blocks);
        var h = hidden;                                                                // (1, B, D)
        for (int j = 0; j < blocks; j++)
        {
            var blockCovariates = future?[.., (j * w)..((j + 1) * w), ..];
            var y = ApplyHead(h[-1], blockCovariates, b, heads, w, p);                      // (B, 1+Q, w, P)
            outputs.Add(y);
            if (j == blocks - 1) break;
            var fed = y[.., 0, .., ..];                                                // (B, w, P)
            if (blockCovariates is not null) fed = cat([fed, blockCovariates], 2);
            var e = nn.functional.relu(segment.call(fed.reshape(b, 1, w * (p + Covariates))));
            (_, h) = gru.call(e, h);
        }
        var all = cat(outputs, 2);
        return all.shape[2] == Horizon ? all : all[.., .., ..Horizon, ..];
    }

    private void CheckCovariates(Tensor? covariates, long n)
    {
        if (Covariates == 0)
        {
            if (covariates is not null)
                throw new ArgumentException($"the model takes no covariates (K = 0), got a tensor of shape [{string.Join(", ", covariates.shape)}]", nameof(covariates));
            return;
        }
        if (covariates is null)
            throw new ArgumentException($"the model needs K = {Covariates} known covariates per step: pass (N, L + H, K) = ({n}, {Lookback + Horizon}, {Covariates})", nameof(covariates));
        if (covariates.dim() != 3 || covariates.shape[0] != n || covariates.shape[1] != Lookback + Horizon || covariates.shape[2] != Covariates)
            throw new ArgumentException(
                $"covariates must be (N, L + H, K) = ({n}, {Lookback + Horizon}, {Covariates}), got [{string.Join(", ", covariates.shape)}]", nameof(covariates));
        if (!covariates.is_floating_point()) throw new ArgumentException($"covariates must be floating point, got {covariates.dtype}", nameof(covariates));
    }
}
