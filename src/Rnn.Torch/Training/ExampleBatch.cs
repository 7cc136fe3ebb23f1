namespace RnnMl.Torch.Training;

/// <summary>A batch of a <see cref="BucketedTrainingTask{TExample}"/>: which examples, from the training or the validation set.</summary>
/// <param name="Validation">True for validation examples.</param>
/// <param name="Rows">Example indices into the training (or validation) examples.</param>
public sealed record ExampleBatch(bool Validation, int[] Rows);
