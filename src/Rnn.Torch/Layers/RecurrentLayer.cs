using RnnMl.Torch.Cells;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PackedSequence = TorchSharp.torch.nn.utils.rnn.PackedSequence;

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
    private readonly nn.Module? fused;
    private readonly FusedKind fusedKind;

    private protected enum FusedKind { None, Rnn, Lstm, Gru }

    /// <summary>Builds a layer of built-in cells whose parameters are shared with libtorch's fused module.</summary>
    private protected RecurrentLayer(string name, RecurrentLayerOptions options, FusedKind kind, RnnNonlinearity nonlinearity, ScalarType? dtype, Device? device)
        : base(name)
    {
        Options = options.Validate();
        var dt = dtype ?? get_default_dtype();
        if (!Dtypes.IsFloat(dt))
            throw new ArgumentException($"dtype must be a floating-point type, got {dt}", nameof(dtype));

        fusedKind = kind;
        fused = kind switch
        {
            FusedKind.Lstm => nn.LSTM(options.InputSize, options.HiddenSize, options.NumLayers, options.Bias, options.BatchFirst, options.Dropout, options.Bidirectional, device, dt),
            FusedKind.Gru => nn.GRU(options.InputSize, options.HiddenSize, options.NumLayers, options.Bias, options.BatchFirst, options.Dropout, options.Bidirectional, device, dt),
            _ => nn.RNN(options.InputSize, options.HiddenSize, options.NumLayers,
                nonlinearity == RnnNonlinearity.ReLU ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh,
                options.Bias, options.BatchFirst, options.Dropout, options.Bidirectional, device, dt),
        };

        // The fused module owns the storage; our cells and our registered parameters are handles to the very same
        // tensors, so both backends read the same values and accumulate into the same gradients.
        var native = fused.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        cells = new RecurrentCell[options.NumLayers * Directions];
        for (int layer = 0; layer < options.NumLayers; layer++)
        {
            for (int dir = 0; dir < Directions; dir++)
            {
                string suffix = Suffix(layer, dir);
                Parameter Take(string baseName)
                {
                    var p = native[baseName + suffix];
                    p.DetachFromDisposeScope();
                    register_parameter(baseName + suffix, p);
                    return p;
                }
                var wIh = Take("weight_ih");
                var wHh = Take("weight_hh");
                var bIh = options.Bias ? Take("bias_ih") : null;
                var bHh = options.Bias ? Take("bias_hh") : null;
                int cellInput = layer == 0 ? options.InputSize : options.HiddenSize * Directions;
                cells[layer * Directions + dir] = kind switch
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
        if (options.Backend == RecurrentBackend.Fused)
            throw new ArgumentException("the fused backend runs only the built-in cells (Lstm, Gru, Rnn); use Composed or Auto for a custom cell", nameof(options));
        fusedKind = FusedKind.None;
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

    /// <summary>The backend that <see cref="forward"/> runs: <see cref="Options"/>' choice with Auto resolved.</summary>
    public RecurrentBackend ActiveBackend => Options.Backend switch
    {
        RecurrentBackend.Auto => fused is null ? RecurrentBackend.Composed : RecurrentBackend.Fused,
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
    {
        var lens = Validate(input, state, lengths);
        using var scope = NewDisposeScope();
        var (output, final) = ActiveBackend == RecurrentBackend.Fused
            ? FusedForward(input, state, lens)
            : ComposedForward(input, state, lens);
        output.MoveToOuterDisposeScope();
        final.MoveToOuterDisposeScope();
        return (output, final);
    }

    /// <summary>Sets training mode here and on the fused kernel's module (which is not a registered child).</summary>
    /// <param name="train">True for training (inter-layer dropout on), false for evaluation.</param>
    public override void train(bool train = true)
    {
        base.train(train);
        fused?.train(train);
    }

    /// <inheritdoc />
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        // The fused module converts its parameters in place, so every handle we hold follows along;
        // the base class then finds nothing left to copy.
        if (fused is not null)
        {
            // Take the gradients off first and put them back converted. Otherwise the fused module's own epilogue sees
            // a gradient of the old dtype or device, replaces that parameter by a new Parameter object and disposes
            // the old one, which is the very handle our cells and our registrations use: the layer would be left with
            // no parameters at all.
            var parameterList = parameters().ToList();
            var grads = parameterList.Select(p => p.grad).ToList();
            foreach (var p in parameterList) p.grad = null;
            if (device is null) fused.to(dtype!.Value, non_blocking);
            else if (dtype is null) fused.to(device, non_blocking);
            else fused.to(device, dtype.Value, non_blocking);
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
        if (disposing)
        {
            if (fused is not null)
            {
                foreach (var cell in cells) cell.Dispose();
                fused.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    private static string Suffix(int layer, int dir) => $"_l{layer}" + (dir == 1 ? "_reverse" : "");

    /// <summary>Checks every input against the layer; returns the lengths as an array, or null when none are needed.</summary>
    private long[]? Validate(Tensor input, RecurrentState? state, Tensor? lengths)
    {
        ArgumentNullException.ThrowIfNull(input);
        string layout = BatchFirst ? "(N, T, I)" : "(T, N, I)";
        if (input.dim() != 3)
            throw new ArgumentException($"input must be 3-D {layout}, got {input.dim()}-D of shape {RecurrentCell.Shape(input)}", nameof(input));
        if (input.shape[2] != InputSize)
            throw new ArgumentException($"input feature size must be {InputSize}, got {input.shape[2]}", nameof(input));
        long t = input.shape[BatchFirst ? 1 : 0];
        long n = input.shape[BatchFirst ? 0 : 1];
        if (t < 1)
            throw new ArgumentException($"input must have at least 1 time step, got {t}", nameof(input));
        if (n < 1)
            throw new ArgumentException($"input must have at least 1 sequence, got {n}", nameof(input));
        var reference = parameters().First();
        if (input.dtype != reference.dtype)
            throw new ArgumentException($"input dtype must be {reference.dtype} (the parameters' dtype), got {input.dtype}", nameof(input));
        if (input.device.ToString() != reference.device.ToString())
            throw new ArgumentException($"input device must be {reference.device} (the parameters' device), got {input.device}", nameof(input));

        if (state is not null)
        {
            CheckState(state.H, "h_0", n, reference);
            if (StateCount == 2)
            {
                if (state.C is null)
                    throw new ArgumentException("an LSTM initial state needs both h_0 and c_0, got no c_0", nameof(state));
                CheckState(state.C, "c_0", n, reference);
            }
            else if (state.C is not null)
            {
                throw new ArgumentException($"this layer's state is h only, got a cell state c_0 of shape {RecurrentCell.Shape(state.C)}", nameof(state));
            }
        }

        if (lengths is null) return null;
        if (lengths.dim() != 1)
            throw new ArgumentException($"lengths must be 1-D (N), got {lengths.dim()}-D of shape {RecurrentCell.Shape(lengths)}", nameof(lengths));
        if (lengths.shape[0] != n)
            throw new ArgumentException($"lengths must have one entry per sequence ({n}), got {lengths.shape[0]}", nameof(lengths));
        if (!Dtypes.IsInteger(lengths.dtype))
            throw new ArgumentException($"lengths must be an integer tensor, got {lengths.dtype}", nameof(lengths));
        using var cpu = lengths.to(ScalarType.Int64, CPU);
        var values = cpu.data<long>().ToArray();
        bool allFull = true;
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < 1 || values[i] > t)
                throw new ArgumentOutOfRangeException(nameof(lengths), values[i], $"lengths must be between 1 and T = {t}, got {values[i]} at index {i}");
            allFull &= values[i] == t;
        }
        return allFull ? null : values;
    }

    private void CheckState(Tensor s, string name, long n, Tensor reference)
    {
        long rows = (long)NumLayers * Directions;
        if (s.dim() != 3 || s.shape[0] != rows || s.shape[1] != n || s.shape[2] != HiddenSize)
            throw new ArgumentException($"initial {name} shape must be [{rows}, {n}, {HiddenSize}] (L·D, N, H), got {RecurrentCell.Shape(s)}", "state");
        if (s.dtype != reference.dtype)
            throw new ArgumentException($"initial {name} dtype must be {reference.dtype}, got {s.dtype}", "state");
        if (s.device.ToString() != reference.device.ToString())
            throw new ArgumentException($"initial {name} device must be {reference.device}, got {s.device}", "state");
    }

    private (Tensor, RecurrentState) FusedForward(Tensor input, RecurrentState? state, long[]? lens)
    {
        if (fused!.training != training) fused.train(training);
        long t = input.shape[BatchFirst ? 1 : 0];
        PackedSequence? packed = null;
        try
        {
            // libtorch's fused LSTM on a plain (unpacked) tensor with autograd off takes a CPU inference kernel whose
            // results differ from the LSTM equations (by 0.1 to 1.0 at hidden 8, 16 and 48 on our machines; exact at
            // 24, 32, 64, 128); the packed path is exact. So inference always goes through a pack, with every sequence at full
            // length when no lengths were given (this costs about a quarter more time for one short sentence).
            if (lens is null && fusedKind == FusedKind.Lstm && !is_grad_enabled())
                lens = Enumerable.Repeat(t, (int)input.shape[BatchFirst ? 0 : 1]).ToArray();
            if (lens is not null)
            {
                using var lenTensor = tensor(lens, ScalarType.Int64);
                packed = nn.utils.rnn.pack_padded_sequence(input, lenTensor, BatchFirst, enforce_sorted: false);
            }
            switch (fusedKind)
            {
                case FusedKind.Lstm:
                {
                    var lstm = (LSTM)fused;
                    (Tensor, Tensor)? hc = state is null ? null : (state.H, state.C!);
                    if (packed is null)
                    {
                        var (o, h, c) = lstm.call(input, hc);
                        return (o, new RecurrentState(h, c));
                    }
                    var (po, ph, pc) = lstm.call(packed, hc);
                    using (po) return (Unpack(po, t), new RecurrentState(ph, pc));
                }
                case FusedKind.Gru:
                {
                    var gru = (GRU)fused;
                    if (packed is null)
                    {
                        var (o, h) = gru.call(input, state?.H);
                        return (o, new RecurrentState(h));
                    }
                    var (po, ph) = gru.call(packed, state?.H);
                    using (po) return (Unpack(po, t), new RecurrentState(ph));
                }
                default:
                {
                    var rnn = (RNN)fused;
                    if (packed is null)
                    {
                        var (o, h) = rnn.call(input, state?.H);
                        return (o, new RecurrentState(h));
                    }
                    var (po, ph) = rnn.call(packed, state?.H);
                    using (po) return (Unpack(po, t), new RecurrentState(ph));
                }
            }
        }
        finally
        {
            packed?.Dispose();
        }
    }

    private Tensor Unpack(PackedSequence packed, long totalLength)
    {
        var (padded, lengthsOut) = nn.utils.rnn.pad_packed_sequence(packed, BatchFirst, 0.0, totalLength);
        lengthsOut.Dispose();
        return padded;
    }

    private (Tensor, RecurrentState) ComposedForward(Tensor input, RecurrentState? state, long[]? lens)
    {
        int timeDim = BatchFirst ? 1 : 0;
        int steps = (int)input.shape[timeDim];
        long n = input.shape[BatchFirst ? 0 : 1];
        int layers = NumLayers, dirs = Directions;

        Tensor[]? valid = null, validF = null;
        if (lens is not null)
        {
            // (T, N, 1): whether step t is inside sequence n.
            using var lenT = tensor(lens, ScalarType.Int64, input.device);
            using var stepT = arange(steps, ScalarType.Int64, input.device);
            using var mask = stepT.unsqueeze(1).lt(lenT.unsqueeze(0)).unsqueeze(2);
            valid = mask.unbind(0);
            using var maskF = mask.to(input.dtype);
            validF = maskF.unbind(0);
        }

        Tensor[]? h0 = state?.H.unbind(0);
        Tensor[]? c0 = state?.C?.unbind(0);
        var finals = new Tensor[StateCount][];
        for (int k = 0; k < StateCount; k++) finals[k] = new Tensor[layers * dirs];

        Tensor x = input;
        for (int layer = 0; layer < layers; layer++)
        {
            var halves = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = layer * dirs + dir;
                var cell = cells[slot];
                var s = new Tensor[StateCount];
                s[0] = h0?[slot] ?? zeros(n, HiddenSize, input.dtype, input.device);
                if (StateCount == 2) s[1] = c0?[slot] ?? zeros(n, HiddenSize, input.dtype, input.device);

                // One matrix product for the input part of every step; unbind (not select) keeps the backward
                // pass from allocating a full-size gradient per step.
                var projected = cell.ProjectInput(x).unbind(timeDim);
                var outputs = new Tensor[steps];
                for (int i = 0; i < steps; i++)
                {
                    int step = dir == 0 ? i : steps - 1 - i;
                    var next = cell.Step(projected[step], s);
                    if (valid is not null)
                    {
                        for (int k = 0; k < next.Length; k++) next[k] = where(valid[step], next[k], s[k]);
                        outputs[step] = next[0] * validF![step];
                    }
                    else
                    {
                        outputs[step] = next[0];
                    }
                    s = next;
                }
                for (int k = 0; k < StateCount; k++) finals[k][slot] = s[k];
                halves[dir] = stack(outputs, timeDim);
            }
            x = dirs == 1 ? halves[0] : cat(halves, 2);
            if (layer < layers - 1 && Options.Dropout > 0 && training)
                x = nn.functional.dropout(x, Options.Dropout, training: true);
        }
        var hN = stack(finals[0], 0);
        var cN = StateCount == 2 ? stack(finals[1], 0) : null;
        return (x, new RecurrentState(hN, cN));
    }
}
