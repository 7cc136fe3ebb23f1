using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// A many-to-one model over numeric sequences: linear input projection (in place of an embedding) → recurrent encoder →
/// pooling over valid steps → dropout → linear head giving K regression targets or K class scores.
/// </summary>
/// <remarks>
/// Input: values (N, T, F) floating point, batch-first, padded, and lengths (N) int64 in [1, T]
/// (<see cref="NumericSequenceBatch.Create"/> builds both). e_t = W_p x_t + b_p ∈ ℝᴱ; o_t = encoder(e)_t; pooled as
/// <see cref="NumericSequenceOptions.Pooling"/> says, over valid steps only; output W_o pooled + b_o (N, K). Values at
/// padded steps do not affect the output. A NaN or ±∞ at a valid step throws, naming its row, step and feature.
/// Parameters: <c>projection.*</c>, <c>encoder.*</c> (PyTorch's names), <c>output.*</c>.
/// </remarks>
public sealed class NumericSequenceModel : nn.Module
{
    private bool disposed;
    private readonly Linear projection;
    private readonly RecurrentLayer encoder;
    private readonly Dropout dropout;
    private readonly Linear output;

    private NumericSequenceModel(NumericSequenceOptions options, Device? device) : base(nameof(NumericSequenceModel))
    {
        Options = options.Validate();
        int encoded = (options.Bidirectional ? 2 : 1) * options.HiddenSize;
        projection = nn.Linear(options.FeaturesPerStep, options.ProjectionSize, device: device);
        encoder = RecurrentLayers.Create(options.Cell, new RecurrentLayerOptions(options.ProjectionSize, options.HiddenSize,
            options.NumLayers, true, BatchFirst: true, options.NumLayers > 1 ? options.Dropout : 0, options.Bidirectional, options.Backend), device: device);
        dropout = nn.Dropout(options.Dropout);
        output = nn.Linear(options.Pooling == PoolingKind.MeanMax ? 2 * encoded : encoded, options.Outputs, device: device);
        register_module("projection", projection);
        register_module("encoder", encoder);
        register_module("dropout", dropout);
        register_module("output", output);
    }

    /// <summary>Creates a model with fresh parameters (seed torch first for repeatable weights).</summary>
    /// <param name="options">The model's shape; validated here.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static NumericSequenceModel Create(NumericSequenceOptions options, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), device);

    /// <summary>The input projection F → E (what ONNX export reads).</summary>
    public Linear Projection { get { ObjectDisposedException.ThrowIf(disposed, this); return projection; } }

    /// <summary>The recurrent encoder E → D·H (what ONNX export reads).</summary>
    public RecurrentLayer Encoder { get { ObjectDisposedException.ThrowIf(disposed, this); return encoder; } }

    /// <summary>The output layer, pooled → K (what ONNX export reads).</summary>
    public Linear Output { get { ObjectDisposedException.ThrowIf(disposed, this); return output; } }

    /// <summary>The model's shape.</summary>
    public NumericSequenceOptions Options { get { ObjectDisposedException.ThrowIf(disposed, this); return field; } }

    /// <summary>Regression targets or class scores for a batch.</summary>
    /// <param name="values">(N, T, F) floating point, padded.</param>
    /// <param name="lengths">(N) int64 valid lengths, each in [1, T].</param>
    /// <returns>(N, K).</returns>
    /// <exception cref="ArgumentException">A shape, a length or a value is bad; the message names the dimension, or the row, step and feature.</exception>
    public Tensor forward(Tensor values, Tensor lengths)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Check(values, lengths);
        using var scope = NewDisposeScope();
        long steps = values.shape[1];
        var valid = arange(steps, ScalarType.Int64, values.device).unsqueeze(0).lt(lengths.to(values.device).unsqueeze(1)).unsqueeze(2);
        // Padded steps are zeroed first, so that whatever they hold (even NaN) cannot reach the output.
        var x = projection.call(values.masked_fill(valid.logical_not(), PinnedScalars.Zero).to(projection.weight!.dtype));
        var (encoded, state) = encoder.forward(x, lengths: lengths);
        var mean = new Func<Tensor>(() => encoded.masked_fill(valid.logical_not(), PinnedScalars.Zero).sum(1) / lengths.to(encoded.dtype).to(encoded.device).unsqueeze(1));
        var max = new Func<Tensor>(() => encoded.masked_fill(valid.logical_not(), PinnedScalars.MinusInfinity).amax(new long[] { 1 }));
        var pooled = Options.Pooling switch
        {
            PoolingKind.Last => Options.Bidirectional ? cat(new[] { state.H[-2], state.H[-1] }, 1) : state.H[-1],
            PoolingKind.Mean => mean(),
            PoolingKind.Max => max(),
            _ => cat(new[] { mean(), max() }, 1),
        };
        return output.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }

    /// <summary>The mean loss of a batch: squared error against (N, K) float targets for regression, cross-entropy against (N) int64 classes for classification.</summary>
    /// <param name="outputs">(N, K) from <see cref="forward"/>.</param>
    /// <param name="targets">(N, K) floating point (regression) or (N) int64 in [0, K) (classification).</param>
    /// <exception cref="ArgumentException">The targets' shape, type or a class id is wrong; naming both shapes or the row.</exception>
    public Tensor Loss(Tensor outputs, Tensor targets)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(targets);
        long n = outputs.shape[0];
        int k = Options.Outputs;
        if (Options.Head == NumericSequenceHead.Regression)
        {
            if (!targets.is_floating_point() || !targets.shape.SequenceEqual(new[] { n, (long)k }))
                throw new ArgumentException($"regression targets must be floating point of shape [{n}, {k}], got {targets.dtype} [{string.Join(", ", targets.shape)}]", nameof(targets));
            return nn.functional.mse_loss(outputs, targets.to(outputs.dtype));
        }
        if (targets.dtype != ScalarType.Int64 || !targets.shape.SequenceEqual(new[] { n }))
            throw new ArgumentException($"class targets must be Int64 of shape [{n}], got {targets.dtype} [{string.Join(", ", targets.shape)}]", nameof(targets));
        var ids = targets.data<long>().ToArray();
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] < 0 || ids[i] >= k)
                throw new ArgumentOutOfRangeException(nameof(targets), $"row {i}: class ids must be between 0 and {k - 1}, got {ids[i]}");
        return nn.functional.cross_entropy(outputs, targets);
    }

    private void Check(Tensor values, Tensor lengths)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(lengths);
        if (values.dim() != 3)
            throw new ArgumentException($"values must be 3-D (N, T, F), got {values.dim()}-D", nameof(values));
        if (!values.is_floating_point())
            throw new ArgumentException($"values must be floating point, got {values.dtype}", nameof(values));
        if (values.shape[2] != Options.FeaturesPerStep)
            throw new ArgumentException($"values have F = {values.shape[2]} features per step, the model takes F = {Options.FeaturesPerStep}", nameof(values));
        if (lengths.dim() != 1 || lengths.shape[0] != values.shape[0])
            throw new ArgumentException($"lengths must have shape [{values.shape[0]}] (one per row), got [{string.Join(", ", lengths.shape)}]", nameof(lengths));
        if (lengths.dtype != ScalarType.Int64)
            throw new ArgumentException($"lengths must be Int64, got {lengths.dtype}", nameof(lengths));
        var lens = lengths.data<long>().ToArray();
        long steps = values.shape[1];
        for (int i = 0; i < lens.Length; i++)
            if (lens[i] < 1 || lens[i] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"row {i}: length must be between 1 and T = {steps}, got {lens[i]}");
        using var scope = NewDisposeScope();
        var valid = arange(steps, ScalarType.Int64, values.device).unsqueeze(0).lt(lengths.to(values.device).unsqueeze(1)).unsqueeze(2);
        var bad = values.isfinite().logical_not().logical_and(valid);
        if (bad.any().item<bool>())
        {
            var first = bad.flatten().nonzero()[0, 0].item<long>();
            long f = values.shape[2];
            long row = first / (steps * f), step = first / f % steps, feature = first % f;
            double v = values[row, step, feature].to(ScalarType.Float64).item<double>();
            throw new ArgumentException($"row {row}, step {step}, feature {feature} is {v}; fill missing values before the model (NumericSequenceBatch can forward-fill)", nameof(values));
        }
    }

    /// <summary>Frees the parameters; afterwards every member throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }
}
