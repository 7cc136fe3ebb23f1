namespace RnnMl.Text.Series;

/// <summary>
/// The linear baseline: a least-squares map from the last L steps to the next H, one weight matrix W (H × L) shared by
/// all channels (each channel forecast from its own past only), fitted in closed form with a small ridge term.
/// </summary>
/// <remarks>
/// ŷ_{h,c} = Σ_l W_{h,l} x_{l,c}, no bias (meant for z-scored series). Fitted on every (window, channel) pair of the
/// training windows: W^T = (XᵀX + λI)⁻¹ XᵀY with X the inputs (rows of L values) and Y the targets (rows of H values),
/// λ = ridge · trace(XᵀX) / L, solved in float64 by Cholesky. The Gram matrix of the L+H-step windows is built from its
/// first row by the sliding recurrence G_{i+1,j+1} = G_{i,j} − x_i x_j + x_{S+i} x_{S+j} (S windows), so a fit costs
/// O(S·(L+H) + (L+H)²) per channel plus O(L³) for the solve.
/// </remarks>
public sealed class LinearLeastSquaresForecaster : IPointForecaster
{
    /// <summary>Default relative ridge term (see remarks).</summary>
    public const double DefaultRidge = 1e-4;

    private readonly double[] weights; // (H, L) row-major

    private LinearLeastSquaresForecaster(double[] weights, int lookback, int horizon)
    {
        this.weights = weights;
        Lookback = lookback;
        Horizon = horizon;
    }

    /// <summary>L, the lookback the map was fitted for.</summary>
    public int Lookback { get; }

    /// <summary>H, the horizon the map was fitted for.</summary>
    public int Horizon { get; }

    /// <summary>W, shape (H, L) row-major: W[h·L + l] weighs input step l (oldest 0) for future step h.</summary>
    public ReadOnlySpan<double> Weights => weights;

    /// <inheritdoc/>
    public int MinLookback => Lookback;

    /// <summary>Fits W on every window and channel of <paramref name="train"/>.</summary>
    /// <param name="train">Training windows; L and H are theirs.</param>
    /// <param name="ridge">Relative ridge term, ≥ 0; default <see cref="DefaultRidge"/>. With 0 the inputs must span L dimensions.</param>
    /// <exception cref="InvalidOperationException">XᵀX + λI is not positive definite (ridge 0 and degenerate inputs).</exception>
    public static LinearLeastSquaresForecaster Fit(SlidingWindows train, double ridge = DefaultRidge)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!(ridge >= 0) || !double.IsFinite(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "must be finite and ≥ 0");
        int l = train.Lookback, h = train.Horizon, m = l + h, s = train.Count, c = train.Channels;
        var rows = train.Series.Rows(train.FirstStart, s + m - 1);
        var gram = new double[m * m];
        var x = new double[s + m - 1];
        for (int ch = 0; ch < c; ch++)
        {
            for (int t = 0; t < x.Length; t++) x[t] = rows[t * c + ch];
            AddSlidingGram(x, s, m, gram);
        }
        var a = new double[l * l];
        double trace = 0;
        for (int i = 0; i < l; i++)
        {
            for (int j = 0; j < l; j++) a[i * l + j] = gram[i * m + j];
            trace += a[i * l + i];
        }
        double lambda = ridge * trace / l;
        for (int i = 0; i < l; i++) a[i * l + i] += lambda;
        CholeskyInPlace(a, l);
        var weights = new double[h * l];
        var rhs = new double[l];
        for (int k = 0; k < h; k++)
        {
            for (int i = 0; i < l; i++) rhs[i] = gram[i * m + l + k];
            CholeskySolve(a, l, rhs);
            rhs.CopyTo(weights, k * l);
        }
        return new LinearLeastSquaresForecaster(weights, l, h);
    }

    /// <inheritdoc/>
    public void Forecast(ReadOnlySpan<double> input, int channels, Span<double> forecast)
    {
        ForecastShapes.Check(input, channels, forecast, MinLookback, out int lookback, out int horizon);
        if (lookback != Lookback || horizon != Horizon)
            throw new ArgumentException($"input L = {lookback}, H = {horizon}; the map was fitted for L = {Lookback}, H = {Horizon}", nameof(input));
        for (int k = 0; k < horizon; k++)
            for (int ch = 0; ch < channels; ch++)
            {
                double sum = 0;
                for (int i = 0; i < lookback; i++) sum += weights[k * lookback + i] * input[i * channels + ch];
                forecast[k * channels + ch] = sum;
            }
    }

    /// <summary>gram[i, j] += Σ_{w &lt; s} x[w+i]·x[w+j] for i, j &lt; m (x holds s + m − 1 values).</summary>
    internal static void AddSlidingGram(ReadOnlySpan<double> x, int s, int m, Span<double> gram)
    {
        var g = new double[m * m];
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            for (int w = 0; w < s; w++) sum += x[w] * x[w + j];
            g[j] = sum;
        }
        for (int i = 0; i + 1 < m; i++)
            for (int j = i; j + 1 < m; j++)
                g[(i + 1) * m + j + 1] = g[i * m + j] - x[i] * x[j] + x[s + i] * x[s + j];
        for (int i = 0; i < m; i++)
            for (int j = i; j < m; j++)
            {
                gram[i * m + j] += g[i * m + j];
                if (j != i) gram[j * m + i] += g[i * m + j];
            }
    }

    private static void CholeskyInPlace(double[] a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0))
                throw new InvalidOperationException($"XᵀX + λI is not positive definite at pivot {j} ({d}); use a ridge > 0");
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double v = a[i * n + j];
                for (int k = 0; k < j; k++) v -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = v / d;
            }
        }
    }

    private static void CholeskySolve(double[] lower, int n, double[] b)
    {
        for (int i = 0; i < n; i++)
        {
            double v = b[i];
            for (int k = 0; k < i; k++) v -= lower[i * n + k] * b[k];
            b[i] = v / lower[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double v = b[i];
            for (int k = i + 1; k < n; k++) v -= lower[k * n + i] * b[k];
            b[i] = v / lower[i * n + i];
        }
    }
}
