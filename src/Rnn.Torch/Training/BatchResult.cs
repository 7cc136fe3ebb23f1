using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>The loss of one batch and the sums that the epoch's metrics are made of.</summary>
/// <param name="Loss">A single-element tensor: the MEAN loss over the batch's <paramref name="Count"/> items, attached to the graph when training.</param>
/// <param name="Count">How many items the loss averages over (examples, or tokens); at least 1. Epoch losses weight batches by it.</param>
/// <param name="MetricSums">
/// Per-batch sums, e.g. <c>{"correct": 27}</c>; summed over the epoch and divided by the epoch's total
/// <paramref name="Count"/>, so "correct" becomes accuracy. Default null (no metrics).
/// </param>
public sealed record BatchResult(Tensor Loss, long Count, IReadOnlyDictionary<string, double>? MetricSums = null);
