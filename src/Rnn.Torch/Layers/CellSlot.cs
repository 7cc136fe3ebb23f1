namespace RnnMl.Torch.Layers;

/// <summary>Where a custom cell goes in a <see cref="CustomRecurrent"/> layer, and the sizes it must have.</summary>
/// <param name="Layer">0-based layer index, bottom first.</param>
/// <param name="Direction">0 forward, 1 reverse.</param>
/// <param name="InputSize">The input size the cell must take: I for layer 0, D·H above it.</param>
/// <param name="HiddenSize">H, the hidden size the cell must have.</param>
public readonly record struct CellSlot(int Layer, int Direction, int InputSize, int HiddenSize);
