using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// DropConnect on W_hh (<see cref="RecurrentLayerOptions.WeightDropout"/>): one mask per forward call, shared by every
/// time step; a new mask on the next call; none in evaluation; the gradient reaches W_hh only through kept weights.
/// The reference is an LSTM written out by hand here, not the library's cell.
/// </summary>
[Collection(RnnMl.Torch.Tests.Training.GlobalTorchRandomCollection.Name)]
public class WeightDropTests
{
    private const int I = 5, H = 7, T = 11, N = 3;
    private const double P = 0.5;
    private const ScalarType F64 = ScalarType.Float64;

    [Fact]
    public void Training_OneMaskForEveryStep_GradientOnlyThroughKeptWeights()
    {
        manual_seed(7);
        using var layer = Lstm.Create(new RecurrentLayerOptions(I, H, WeightDropout: P), F64);
        layer.train();
        using var x = randn(T, N, I, F64);

        var (y, _) = layer.forward(x);
        y.sum().backward();
        var w = layer.get_parameter("weight_hh_l0")!;
        using var grad = w.grad!.clone();
        // The kept entries: where W_hh got a gradient (a kept weight with an exactly zero float64 gradient is not a concern).
        using var keep = grad.ne(0).to(F64);
        int kept = (int)keep.sum().item<double>();
        Assert.InRange(kept, 4 * H * H / 5, 4 * H * H * 4 / 5); // about half of 196, not all, not none

        // The same mask at every step: a hand-written LSTM with W_hh · keep / (1 − p) gives the layer's outputs...
        using var wRef = w.detach().clone().requires_grad_(true);
        using var yRef = HandLstm(layer, x, wRef * keep / (1 - P));
        Assert.True(allclose(y, yRef, rtol: 0, atol: 1e-12), $"max difference {(y - yRef).abs().max().item<double>()}");
        // ...and the same gradient: zero for dropped weights, the masked path's (scaled by 1/(1 − p)) for kept ones.
        yRef.sum().backward();
        Assert.True(allclose(grad, wRef.grad!, rtol: 0, atol: 1e-12), $"max gradient difference {(grad - wRef.grad!).abs().max().item<double>()}");
        y.Dispose();
    }

    [Fact]
    public void Training_EachForwardDrawsANewMask()
    {
        manual_seed(7);
        using var layer = Lstm.Create(new RecurrentLayerOptions(I, H, WeightDropout: P), F64);
        layer.train();
        using var x = randn(T, N, I, F64);
        var w = layer.get_parameter("weight_hh_l0")!;

        Tensor Mask()
        {
            w.grad?.zero_();
            var (y, _) = layer.forward(x);
            y.sum().backward();
            y.Dispose();
            return w.grad!.ne(0);
        }
        using var first = Mask();
        using var second = Mask();

        Assert.False(first.eq(second).all().item<bool>(), "two forward calls used the same W_hh mask");
    }

    [Fact]
    public void Evaluation_UsesTheWholeWeight()
    {
        manual_seed(7);
        using var layer = Lstm.Create(new RecurrentLayerOptions(I, H, WeightDropout: P), F64);
        layer.eval();
        using var x = randn(T, N, I, F64);

        using var noGrad = no_grad();
        var (y1, _) = layer.forward(x);
        var (y2, _) = layer.forward(x);
        using var yRef = HandLstm(layer, x, layer.get_parameter("weight_hh_l0")!);

        Assert.True(y1.eq(y2).all().item<bool>(), "evaluation is not deterministic");
        Assert.True(allclose(y1, yRef, rtol: 0, atol: 1e-12), $"max difference {(y1 - yRef).abs().max().item<double>()}");
    }

    [Fact]
    public void ZeroWeightDropout_InTraining_UsesTheWholeWeight()
    {
        manual_seed(7);
        using var layer = Lstm.Create(new RecurrentLayerOptions(I, H, Backend: RecurrentBackend.Composed), F64);
        layer.train();
        using var x = randn(T, N, I, F64);

        using var noGrad = no_grad();
        var (y, _) = layer.forward(x);
        using var yRef = HandLstm(layer, x, layer.get_parameter("weight_hh_l0")!);

        Assert.True(allclose(y, yRef, rtol: 0, atol: 1e-12));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void OutOfRange_IsRefusedNamingIt(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentLayerOptions(I, H, WeightDropout: p).Validate());
        Assert.Equal("WeightDropout", e.ParamName);
        Assert.Contains(p.ToString(System.Globalization.CultureInfo.CurrentCulture), e.Message);
    }

    [Theory]
    [InlineData(RecurrentBackend.Fused)]
    [InlineData(RecurrentBackend.FusedRagged)]
    public void FusedBackend_IsRefusedNamingBoth(RecurrentBackend backend)
    {
        var e = Assert.Throws<ArgumentException>(() => new RecurrentLayerOptions(I, H, Backend: backend, WeightDropout: 0.25).Validate());
        Assert.Equal("WeightDropout", e.ParamName);
        Assert.Contains("0.25", e.Message);
        Assert.Contains(backend.ToString(), e.Message);
    }

    [Fact]
    public void Classifier_PassesItToItsEncoder()
    {
        using var model = SequenceClassifier.Create(new SequenceClassifierOptions { VocabularySize = 11, ClassCount = 2, EmbeddingSize = 4, HiddenSize = 3, WeightDropout = 0.25 });

        Assert.Equal(0.25, model.Encoder.Options.WeightDropout);
    }

    // y_t of a one-layer forward LSTM (PyTorch's gate order i, f, g, o) with the given hidden-to-hidden weight.
    private static Tensor HandLstm(RecurrentLayer layer, Tensor x, Tensor weightHh)
    {
        var wIh = layer.get_parameter("weight_ih_l0")!;
        var bias = layer.get_parameter("bias_ih_l0")! + layer.get_parameter("bias_hh_l0")!;
        var h = zeros(N, H, F64);
        var c = zeros(N, H, F64);
        var outputs = new Tensor[T];
        for (int t = 0; t < T; t++)
        {
            var gates = x[t].matmul(wIh.t()) + h.matmul(weightHh.t()) + bias;
            var g = gates.chunk(4, 1);
            c = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh();
            h = g[3].sigmoid() * c.tanh();
            outputs[t] = h;
        }
        return stack(outputs, 0);
    }
}
