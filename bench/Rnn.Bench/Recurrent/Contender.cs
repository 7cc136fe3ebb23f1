using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench;

/// <summary>One implementation under test: a module and how to run it forward on the benchmark batch.</summary>
/// <param name="name">For messages.</param>
/// <param name="module">The module; its parameters get the gradients.</param>
/// <param name="forward">Runs the module on the input and returns the (T, N, D·H) output.</param>
/// <param name="ownsModule">Whether <see cref="Dispose"/> disposes <paramref name="module"/> (false when another contender shares it).</param>
internal sealed class Contender(string name, nn.Module module, Func<Tensor, Tensor> forward, bool ownsModule = true) : IDisposable
{
    public string Name { get; } = name;

    public nn.Module Module { get; } = module;

    /// <summary>Output for the input, with autograd as the caller's mode says.</summary>
    public Tensor Forward(Tensor input) => forward(input);

    /// <summary>One inference iteration: forward under <c>torch.no_grad()</c>. Put the module in eval mode first.</summary>
    public void ForwardOnly(Tensor input)
    {
        using var _ = torch.no_grad();
        forward(input);
    }

    /// <summary>One training iteration: forward, loss = output.sum(), backward, zero the gradients. Put the module in train mode first.</summary>
    public void TrainStep(Tensor input)
    {
        var loss = forward(input).sum();
        loss.backward();
        Module.zero_grad();
    }

    public void Dispose()
    {
        if (ownsModule) Module.Dispose();
    }
}
