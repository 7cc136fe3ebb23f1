using RnnMl.Torch.Cells;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// Runs a recurrent cell over time (BPTT through autograd), stacked in L layers, in one or two directions, on
/// padded batches of variable length. The public kinds are <see cref="Lstm"/>, <see cref="Gru"/>, <see cref="Rnn"/>
/// and <see cref="CustomRecurrent"/>.
/// </summary>
/// <remarks>
/// Shapes: N batch, T time, D directions (1 or 2), L layers, H hidden, I input features.
/// <list type="bullet">
/// <item>input: (T, N, I), or (N, T, I) when <see cref="BatchFirst"/>;</item>
/// <item>output: (T, N, D·H), or (N, T, D·H); the forward half comes first on the last axis, and the reverse half at
/// step t is the reverse state at step t;</item>
/// <item>state: h (and c for LSTM) of shape (L·D, N, H), index layer·D + direction, whatever <see cref="BatchFirst"/> says.</item>
/// </list>
/// With lengths, each sequence n only uses steps 0 … lengths[n]−1: outputs at padded steps are zero, its final state is
/// taken at its own last valid step, and the reverse direction starts at its own end.
/// Parameters follow PyTorch: <c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c>,
/// with the suffix <c>_reverse</c> for the reverse direction.
/// </remarks>
public abstract class RecurrentLayer : nn.Module
{
    private readonly RecurrentCell[] cells;
    private readonly FusedSlots? fused;

    /// <summary>Builds a layer of built-in cells whose parameters are shared with libtorch's fused modules.</summary>
    private protected RecurrentLayer(string name, RecurrentLayerOptions options, FusedKind kind, RnnNonlinearity nonlinearity, ScalarType? dtype, Device? device)
        : base(name)
    {
        Options = options.Validate();
        var dt = dtype ?? get_default_dtype();
        if (!Dtypes.IsFloat(dt))
            throw new ArgumentException($"dtype must be a floating-point type, got {dt}", nameof(dtype));

        // The fused modules own the storage; our cells and our registered parameters are handles to the very same
        // tensors, so every backend reads the same values and accumulates into the same gradients.
        if (options.Backend == RecurrentBackend.ComposedGemm && kind != FusedKind.Lstm)
            throw new ArgumentException($"the ComposedGemm backend runs only LSTM cells, got {kind}; use Composed, Fused, FusedRagged or Auto", nameof(options));
        fused = new FusedSlots(kind, options, nonlinearity, dt, device);
        cells = new RecurrentCell[options.NumLayers * Directions];
        for (int layer = 0; layer < options.NumLayers; layer++)
        {
            for (int dir = 0; dir < Directions; dir++)
            {
                int slot = layer * Directions + dir;
                string suffix = Suffix(layer, dir);
                Parameter Take(string baseName)
                {
                    var p = fused.Parameter(slot, baseName);
                    register_parameter(baseName + suffix, p);
                    return p;
                }
                var wIh = Take("weight_ih");
                var wHh = Take("weight_hh");
                var bIh = options.Bias ? Take("bias_ih") : null;
                var bHh = options.Bias ? Take("bias_hh") : null;
                int cellInput = layer == 0 ? options.InputSize : options.HiddenSize * Directions;
                cells[slot] = kind switch
                {
                    FusedKind.Lstm => new LstmCell(cellInput, options.HiddenSize, wIh, wHh, bIh, bHh),
                    FusedKind.Gru => new GruCell(cellInput, options.HiddenSize, wIh, wHh, bIh, bHh),
                    _ => new RnnCell(cellInput, options.HiddenSize, nonlinearity, wIh, wHh, bIh, bHh),
                };
            }
        }
        StateCount = cells[0].StateCount;
        ResetParameters();
    }

    /// <summary>Builds a layer of custom cells (composed backend only).</summary>
    private protected RecurrentLayer(string name, RecurrentLayerOptions options, Func<CellSlot, RecurrentCell> cellFactory)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(cellFactory);
        Options = options.Validate();
        if (options.WeightDropout > 0)
            throw new ArgumentException($"weight dropout {options.WeightDropout} needs the built-in cells (Lstm, Gru, Rnn), whose W_hh it masks; a custom cell has none it knows", nameof(options));
        if (options.Backend is RecurrentBackend.Fused or RecurrentBackend.FusedRagged or RecurrentBackend.ComposedGemm)
            throw new ArgumentException($"the {options.Backend} backend runs only the built-in cells (Lstm, Gru, Rnn; ComposedGemm: Lstm); use Composed or Auto for a custom cell", nameof(options));
        cells = new RecurrentCell[options.NumLayers * Directions];
        for (int layer = 0; layer < options.NumLayers; layer++)
        {
            for (int dir = 0; dir < Directions; dir++)
            {
                int cellInput = layer == 0 ? options.InputSize : options.HiddenSize * Directions;
                var cell = cellFactory(new CellSlot(layer, dir, cellInput, options.HiddenSize))
                    ?? throw new ArgumentException($"the cell factory returned null for layer {layer}, direction {dir}", nameof(cellFactory));
                if (cell.InputSize != cellInput)
                    throw new ArgumentException($"the cell for layer {layer}, direction {dir} must take input size {cellInput}, got {cell.InputSize}", nameof(cellFactory));
                if (cell.HiddenSize != options.HiddenSize)
                    throw new ArgumentException($"the cell for layer {layer}, direction {dir} must have hidden size {options.HiddenSize}, got {cell.HiddenSize}", nameof(cellFactory));
                if (cell.StateCount is < 1 or > 2)
                    throw new ArgumentException($"a cell's state must be h or (h, c), so its state count must be 1 or 2, got {cell.StateCount}", nameof(cellFactory));
                if (layer + dir > 0 && cell.StateCount != cells[0].StateCount)
                    throw new ArgumentException($"every cell must have the same state count {cells[0].StateCount}, got {cell.StateCount} for layer {layer}, direction {dir}", nameof(cellFactory));
                cells[layer * Directions + dir] = cell;
                register_module("cell" + Suffix(layer, dir), cell);
            }
        }
        StateCount = cells[0].StateCount;
    }

    /// <summary>The options the layer was built with.</summary>
    public RecurrentLayerOptions Options { get; }

    /// <summary>I, the input feature size of the first layer.</summary>
    public int InputSize => Options.InputSize;

    /// <summary>H, the hidden size of every layer and direction.</summary>
    public int HiddenSize => Options.HiddenSize;

    /// <summary>L, the number of stacked layers.</summary>
    public int NumLayers => Options.NumLayers;

    /// <summary>D, 2 when bidirectional, else 1.</summary>
    public int Directions => Options.Bidirectional ? 2 : 1;

    /// <summary>Whether input and output are (N, T, ·) rather than (T, N, ·).</summary>
    public bool BatchFirst => Options.BatchFirst;

    /// <summary>1 for RNN and GRU (h only), 2 for LSTM (h and c).</summary>
    public int StateCount { get; }

    /// <summary>The backend <see cref="forward"/> runs now on a full-length batch: <see cref="ResolveBackend"/> for the
    /// current autograd mode (enabled = training, disabled = inference).</summary>
    public RecurrentBackend ActiveBackend => ResolveBackend(is_grad_enabled(), ragged: false);

    /// <summary>
    /// The backend <see cref="forward"/> runs for a kind of call: <see cref="Options"/>' choice, or for
    /// <see cref="RecurrentBackend.Auto"/> the one the benchmark measured fastest (composed for custom cells).
    /// </summary>
    /// <param name="training">Autograd enabled (a training step) rather than inference.</param>
    /// <param name="ragged">The call has lengths that are not all T.</param>
    /// <remarks>Auto on this project's 2-core x86-64 machines (the numbers are in AutoBackendTable.cs): LSTM training →
    /// Fused (full length) or FusedRagged (lengths) once <see cref="NativeAllocator.IsTuned"/> (training tunes it by
    /// default), Composed with glibc's default allocator; LSTM inference → Fused on full-length batches, FusedRagged with
    /// lengths; GRU and RNN → Fused, except GRU training with lengths, RNN training and bidirectional GRU or RNN inference
    /// with lengths → Composed.</remarks>
    public RecurrentBackend ResolveBackend(bool training, bool ragged) => Options.Backend switch
    {
        RecurrentBackend.Auto => AutoBackendTable.Choose(fused?.Kind ?? FusedKind.None, training, ragged, Options.Bidirectional, NativeAllocator.IsTuned),
        var b => b,
    };

    /// <summary>The cells, index layer·D + direction. Built-in cells share their parameters with this layer.</summary>
    public IReadOnlyList<RecurrentCell> Cells => cells;

    /// <summary>Re-initialises every parameter: U(-1/√H, 1/√H) for built-in cells, each cell's own rule otherwise.</summary>
    public void ResetParameters()
    {
        foreach (var cell in cells) cell.ResetParameters();
    }

    /// <summary>Runs the layer over a batch of sequences.</summary>
    /// <param name="input">(T, N, I), or (N, T, I) when <see cref="BatchFirst"/>.</param>
    /// <param name="state">Initial state, h (and c for LSTM) of shape (L·D, N, H); null for zeros.</param>
    /// <param name="lengths">Optional (N) integer tensor of valid lengths, each in [1, T]; null when every sequence has T steps.</param>
    /// <returns>The output, (T, N, D·H) or (N, T, D·H), and the final state, (L·D, N, H) each.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, device or length does not fit the layer.</exception>
    public (Tensor Output, RecurrentState State) forward(Tensor input, RecurrentState? state = null, Tensor? lengths = null)
        => Forward(input, state, lengths, cellState: true);

    /// <summary>
    /// Like <see cref="forward"/> for callers that never read the final LSTM cell state (pooling over the outputs, the
    /// final h, per-token heads): the FusedRagged backend then skips recomputing c for sequences that end inside a
    /// segment (<see cref="LstmCellReplay"/>), and the returned state's C may be null.
    /// </summary>
    /// <param name="input">As for <see cref="forward"/>.</param>
    /// <param name="state">As for <see cref="forward"/>.</param>
    /// <param name="lengths">As for <see cref="forward"/>.</param>
    /// <param name="poolingOnly">True when the caller reads nothing from the output but each feature's mean or maximum
    /// over each sequence's valid steps, which it masks itself (or nothing at all): with lengths, the output's padded
    /// steps may then hold anything and, in a reverse direction, a sequence's valid steps may come in reverse order
    /// (time order does not change a mean or a maximum). The ragged backend then skips reversing the last layer's
    /// reverse output back and zeroing its padded steps when a batch runs as one call. The final state is exact either way.</param>
    internal (Tensor Output, RecurrentState State) ForwardOutputsAndH(Tensor input, RecurrentState? state = null, Tensor? lengths = null,
        bool poolingOnly = false)
        => Forward(input, state, lengths, cellState: false, poolingOnly);

    private (Tensor Output, RecurrentState State) Forward(Tensor input, RecurrentState? state, Tensor? lengths, bool cellState,
        bool poolingOnly = false)
    {
        var lens = RecurrentInputValidator.Validate(this, input, state, lengths);
        using var scope = NewDisposeScope();
        // Weight dropout masks W_hh inside our own time loop, so training with it runs the composed backend.
        var backend = training && Options.WeightDropout > 0 ? RecurrentBackend.Composed : ResolveBackend(is_grad_enabled(), lens is not null);
        if (fused is not null && backend is RecurrentBackend.Fused or RecurrentBackend.FusedRagged) fused.Train(training);
        var (output, final) = backend switch
        {
            RecurrentBackend.Fused => FusedRecurrence.Run(fused!, Options, training, input, state, lens, ragged: false),
            RecurrentBackend.FusedRagged => FusedRecurrence.Run(fused!, Options, training, input, state, lens, ragged: true, cellState, poolingOnly),
            RecurrentBackend.ComposedGemm => GemmRecurrence.Run(cells, Options, training, input, state, lens),
            _ => ComposedRecurrence.Run(cells, Options, training, input, state, lens),
        };
        output.MoveToOuterDisposeScope();
        final.MoveToOuterDisposeScope();
        return (output, final);
    }

    /// <summary>Sets training mode here and on the fused kernels' modules (which are not registered children).</summary>
    /// <param name="train">True for training (inter-layer dropout on), false for evaluation.</param>
    public override void train(bool train = true)
    {
        base.train(train);
        fused?.Train(train);
    }

    /// <inheritdoc />
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        // The fused modules convert their parameters in place, so every handle we hold follows along;
        // the base class then finds nothing left to copy.
        if (fused is not null)
        {
            // Take the gradients off first and put them back converted. Otherwise a fused module's own epilogue sees
            // a gradient of the old dtype or device, replaces that parameter by a new Parameter object and disposes
            // the old one, which is the very handle our cells and our registrations use: the layer would be left with
            // no parameters at all.
            var parameterList = parameters().ToList();
            var grads = parameterList.Select(p => p.grad).ToList();
            foreach (var p in parameterList) p.grad = null;
            fused.To(dtype, device, non_blocking);
            for (int i = 0; i < parameterList.Count; i++)
            {
                if (grads[i] is not { } grad) continue;
                using (grad)
                using (var converted = grad.to(parameterList[i].dtype, parameterList[i].device))
                    parameterList[i].grad = converted;
            }
        }
        base._toEpilog(dtype, device, non_blocking);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && fused is not null)
        {
            foreach (var cell in cells) cell.Dispose();
            fused.Dispose();
        }
        base.Dispose(disposing);
    }

    private static string Suffix(int layer, int dir) => $"_l{layer}" + (dir == 1 ? "_reverse" : "");
}
