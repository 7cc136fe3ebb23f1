namespace RnnMl.Torch.Training;

/// <summary>The optimizer that <see cref="Trainer"/> steps.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (β = 0.9, 0.999; ε = 1e-8), with weight decay added to the gradient as an L2 penalty.</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with <see cref="TrainerOptions.Momentum"/> (0 for plain SGD).</summary>
    Sgd,
}
