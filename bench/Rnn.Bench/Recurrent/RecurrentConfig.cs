namespace RnnMl.Bench;

/// <summary>One benchmarked layer shape: cell, layers, directions, and whether sequences have variable lengths.</summary>
/// <param name="Cell">LSTM, GRU or RNN (tanh).</param>
/// <param name="Layers">L, stacked layers.</param>
/// <param name="Bidirectional">D = 2 when true.</param>
/// <param name="VariableLength">Lengths drawn uniformly in [T/2, T] with a fixed seed; otherwise every sequence has T steps.</param>
/// <param name="Batch">N.</param>
/// <param name="Steps">T.</param>
/// <param name="InputSize">I.</param>
/// <param name="HiddenSize">H.</param>
internal sealed record RecurrentConfig(CellKind Cell, int Layers, bool Bidirectional, bool VariableLength,
    int Batch = 64, int Steps = 100, int InputSize = 128, int HiddenSize = 256)
{
    /// <summary>The configuration the ratios line is about: 1-layer unidirectional LSTM, full lengths.</summary>
    public static RecurrentConfig Headline { get; } = new(CellKind.Lstm, 1, false, false);

    /// <summary>
    /// The full sweep: each cell with 1 and 2 layers, one and two directions, then one variable-length case per cell
    /// (1 layer, unidirectional).
    /// </summary>
    public static IReadOnlyList<RecurrentConfig> Sweep()
    {
        var list = new List<RecurrentConfig>();
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
        {
            foreach (int layers in new[] { 1, 2 })
                foreach (bool bidirectional in new[] { false, true })
                    list.Add(new RecurrentConfig(cell, layers, bidirectional, false));
            list.Add(new RecurrentConfig(cell, 1, false, true));
            list.Add(new RecurrentConfig(cell, 1, true, true));
        }
        return list;
    }

    /// <summary>The --quick set: the headline LSTM, full length and ragged, in both modes.</summary>
    public static IReadOnlyList<RecurrentConfig> Quick() => [Headline, Headline with { VariableLength = true }];

    /// <summary>D.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>G, the gate blocks per weight matrix: 4 for LSTM, 3 for GRU, 1 for RNN.</summary>
    public int Gates => Cell switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };

    /// <summary>Whether this is <see cref="Headline"/>.</summary>
    public bool IsHeadline => this == Headline;

    /// <summary>
    /// Matrix-product FLOPs of one forward pass. Convention: per layer and direction, 2·T·N·G·H·(I_layer + H), with
    /// I_layer = I for layer 0 and D·H above; elementwise work (gates, activations) is not counted. A training
    /// iteration (forward + backward) counts 3× this. With variable lengths only valid steps count:
    /// <paramref name="validSteps"/> = Σ lengths takes the place of T·N.
    /// </summary>
    /// <param name="validSteps">Σ over the batch of each sequence's length; T·N for full-length batches.</param>
    public double ForwardFlops(long validSteps)
    {
        double total = 0;
        for (int layer = 0; layer < Layers; layer++)
        {
            int layerInput = layer == 0 ? InputSize : Directions * HiddenSize;
            total += Directions * 2.0 * validSteps * Gates * HiddenSize * (layerInput + (double)HiddenSize);
        }
        return total;
    }

    /// <summary>A short name for the table's first column.</summary>
    public string CellName => Cell switch
    {
        CellKind.Lstm => "LSTM",
        CellKind.Gru => "GRU",
        _ => "RNN",
    };
}
