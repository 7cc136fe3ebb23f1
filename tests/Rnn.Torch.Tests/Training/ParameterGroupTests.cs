using RnnMl.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>
/// <see cref="IParameterGroups"/>: each group steps at the schedule's rate times its factor (discriminative learning
/// rates) and only from its unfreeze epoch on (gradual unfreezing), worked out by hand on ŷ = a·x + b·x.
/// </summary>
public class ParameterGroupTests
{
    private const double Lr = 0.1;

    /// <summary>ŷ = a·x + b·x, a and b starting at 0, targets 2·x with x = ±1, one batch of 4, MSE: at a = b = 0 each
    /// weight's gradient is mean(2·(ŷ − y)·x) = −4, so one plain SGD step moves a weight by 0.4 times its group's factor.</summary>
    private sealed class TwoWeights : nn.Module<Tensor, Tensor>, ITrainingTask<int>, IParameterGroups
    {
        private readonly Tensor x = tensor(new[] { 1.0, -1.0, 1.0, -1.0 }, ScalarType.Float64).unsqueeze(1).DetachFromDisposeScope();

        public TwoWeights(double factorA, double factorB, int unfreezeB) : base(nameof(TwoWeights))
        {
            A = nn.Linear(1, 1, hasBias: false, dtype: ScalarType.Float64);
            B = nn.Linear(1, 1, hasBias: false, dtype: ScalarType.Float64);
            using (no_grad()) { A.weight!.zero_(); B.weight!.zero_(); }
            RegisterComponents();
            ParameterGroups = new[]
            {
                new ParameterGroup("a", new[] { A.weight! }, factorA),
                new ParameterGroup("b", new[] { B.weight! }, factorB, unfreezeB),
            };
        }

        public Linear A { get; }
        public Linear B { get; }
        public IReadOnlyList<ParameterGroup>? ParameterGroups { get; }
        public nn.Module Model => this;

        public override Tensor forward(Tensor input) => A.forward(input) + B.forward(input);

        public IEnumerable<int> TrainingBatches(int epoch, Random random) => new[] { epoch };
        public IEnumerable<int> ValidationBatches() => Array.Empty<int>();
        public BatchResult Evaluate(int batch, bool training) => new(nn.functional.mse_loss(forward(x), x * 2), 4);

        public double Weight(Linear l) => l.weight!.detach().item<double>();
    }

    private static TrainerOptions Sgd(int epochs) => new()
    {
        Epochs = epochs, LearningRate = Lr, Optimizer = OptimizerKind.Sgd, Momentum = 0, GradientClipNorm = null, Seed = 1,
    };

    [Fact]
    public void EachGroupStepsAtTheRateTimesItsFactor()
    {
        using var task = new TwoWeights(factorA: 1, factorB: 0.25, unfreezeB: 0);

        Trainer.Create(Sgd(1)).Fit(task);

        Assert.Equal(0.4, task.Weight(task.A), 12);
        Assert.Equal(0.1, task.Weight(task.B), 12);
    }

    [Fact]
    public void AFrozenGroupDoesNotMoveBeforeItsEpoch_ThenTrains_AndIsTrainableAfterFit()
    {
        using var task = new TwoWeights(factorA: 1, factorB: 1, unfreezeB: 1);

        Trainer.Create(Sgd(1)).Fit(task);

        Assert.Equal(0.4, task.Weight(task.A), 12);
        Assert.Equal(0.0, task.Weight(task.B), 12);
        Assert.True(task.B.weight!.requires_grad, "a group frozen during Fit must be trainable again afterwards");

        using var longer = new TwoWeights(factorA: 1, factorB: 1, unfreezeB: 1);
        Trainer.Create(Sgd(2)).Fit(longer);
        // Epoch 2, at a = 0.4, b = 0: ŷ − y = −1.6·x, so each gradient is −3.2 and each step 0.32.
        Assert.Equal(0.72, longer.Weight(longer.A), 12);
        Assert.Equal(0.32, longer.Weight(longer.B), 12);
    }

    [Fact]
    public void BadGroupsAreRefusedNamingThem()
    {
        var p = new Parameter(zeros(1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup("head", new[] { p }, LearningRateFactor: 0).Validate());
        Assert.Contains("head", e.Message);
        Assert.Equal("LearningRateFactor", e.ParamName);
        var u = Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup("head", new[] { p }, UnfreezeEpoch: -1).Validate());
        Assert.Equal("UnfreezeEpoch", u.ParamName);
    }
}
