using RnnMl.Text.Internal;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// What every task's core shares: the trained network, switched to evaluation mode once (prediction never switches modes,
/// which is what makes concurrent calls safe), the device it runs on, and the gate that guards it during and after
/// <see cref="Dispose"/>.
/// </summary>
internal abstract class TaskCore<TModel> : IDisposable where TModel : nn.Module
{
    /// <param name="model">The trained network.</param>
    /// <param name="device">Where it runs.</param>
    /// <param name="owner">The transformer's type name, which <see cref="ObjectDisposedException"/> names after disposal.</param>
    protected TaskCore(TModel model, Device device, string owner)
    {
        (Model, Device, Gate) = (model, device, new UsageGate(owner));
        Model.eval();
    }

    /// <summary>Guards the network against use during and after <see cref="Dispose"/>.</summary>
    public UsageGate Gate { get; }

    public TModel Model { get; }
    public Device Device { get; }

    /// <summary>Waits for the calls in flight, refuses new ones, then frees the network.</summary>
    public void Dispose()
    {
        if (Gate.Close()) Model.Dispose();
    }
}
