using RnnMl.Torch.Cells;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Cells;

/// <summary><c>to(dtype)</c> on a standalone built-in cell (<see cref="TorchLayoutCell"/>).</summary>
public class TorchLayoutCellConversionTests
{
    private const int I = 3, H = 4, N = 2;

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var kind in new[] { "lstm", "gru", "rnn" }) foreach (var bias in new[] { true, false }) data.Add(kind, bias);
        return data;
    }

    private static TorchLayoutCell Cell(string kind, bool bias) => kind switch
    {
        "lstm" => LstmCell.Create(I, H, bias),
        "gru" => GruCell.Create(I, H, bias),
        _ => RnnCell.Create(I, H, bias),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void To_Float64_ConvertsParametersAndGradientsKeepingValues(string kind, bool bias)
    {
        using var scope = NewDisposeScope();
        manual_seed(71);
        using var cell = Cell(kind, bias);
        var x = randn(N, I);
        var expected = cell.forward(x);
        expected[0].pow(2).sum().backward();
        var names = cell.named_parameters().Select(p => p.name).ToList();
        var grads = cell.parameters().Select(p => p.grad!.to(ScalarType.Float64)).ToList();

        cell.to(ScalarType.Float64);

        var parameters = cell.named_parameters().ToList();
        Assert.Equal(names, parameters.Select(p => p.name).ToList());
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.Equal(ScalarType.Float64, parameters[i].parameter.dtype);
            RnnAssert.Equal(grads[i], parameters[i].parameter.grad!, $"gradient of {names[i]}");
        }
        // The properties the step computes with are the registered parameters.
        var byName = parameters.ToDictionary(p => p.name, p => p.parameter);
        Assert.Same(byName["weight_ih"], cell.weight_ih);
        Assert.Same(byName["weight_hh"], cell.weight_hh);
        if (bias)
        {
            Assert.Same(byName["bias_ih"], cell.bias_ih);
            Assert.Same(byName["bias_hh"], cell.bias_hh);
        }
        else
        {
            Assert.Null(cell.bias_ih);
            Assert.Null(cell.bias_hh);
        }
        var converted = cell.forward(x.to(ScalarType.Float64));
        for (int k = 0; k < expected.Length; k++) RnnAssert.Close(expected[k], converted[k], 1e-6, $"state {k}");
    }
}
