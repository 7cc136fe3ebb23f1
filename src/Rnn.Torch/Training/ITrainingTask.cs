using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// What <see cref="Trainer"/> needs from a task: a task supplies its model, its batches and its loss, so that one
/// training loop serves classification, sequence-to-sequence and language modelling alike.
/// </summary>
/// <typeparam name="TBatch">Whatever the task uses to describe a batch: example indices, tensors, a tuple of both.</typeparam>
/// <remarks>
/// Tensors that the task creates while the trainer pulls the next batch from an enumerable, and inside
/// <see cref="Evaluate"/>, belong to that batch's dispose scope and are disposed when the batch is done; a task that
/// carries tensors from batch to batch (truncated BPTT state) takes them out of the scope itself.
/// </remarks>
public interface ITrainingTask<TBatch>
{
    /// <summary>The model whose parameters are optimised; its state_dict is what checkpoints and best weights hold.</summary>
    nn.Module Model { get; }

    /// <summary>
    /// The training batches of one epoch; called once per epoch. Shuffle with <paramref name="random"/> only, so that
    /// the epoch's order depends on the trainer's seed and the epoch and nothing else (which is what makes resuming
    /// exact).
    /// </summary>
    /// <param name="epoch">The epoch, 0-based.</param>
    /// <param name="random">Seeded by the trainer from its seed and <paramref name="epoch"/>.</param>
    IEnumerable<TBatch> TrainingBatches(int epoch, Random random);

    /// <summary>The validation batches, in a fixed order; an empty sequence means no validation (and no early stopping).</summary>
    IEnumerable<TBatch> ValidationBatches();

    /// <summary>Runs the model on a batch and computes its loss.</summary>
    /// <param name="batch">One batch from <see cref="TrainingBatches"/> or <see cref="ValidationBatches"/>.</param>
    /// <param name="training">True for a training batch: the graph is kept for backward. False for validation, which runs under no_grad in eval mode.</param>
    BatchResult Evaluate(TBatch batch, bool training);
}
