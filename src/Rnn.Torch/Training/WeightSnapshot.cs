using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>A private copy of a model's state_dict (parameters and buffers), outside every dispose scope.</summary>
internal sealed class WeightSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private WeightSnapshot(Dictionary<string, Tensor> tensors) => this.tensors = tensors;

    /// <summary>Clones the model's current state.</summary>
    public static WeightSnapshot Capture(nn.Module model)
    {
        var copy = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, tensor) in model.state_dict())
            copy[name] = tensor.detach().clone().DetachFromDisposeScope();
        return new WeightSnapshot(copy);
    }

    /// <summary>Takes ownership of tensors read from a checkpoint.</summary>
    public static WeightSnapshot Adopt(Dictionary<string, Tensor> tensors) => new(tensors);

    /// <summary>The copied tensors by state_dict name; owned by this snapshot.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>Overwrites the copy with the model's current state, in place, so that no memory is allocated per epoch.</summary>
    public void Update(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in model.state_dict())
            tensors[name].copy_(tensor);
    }

    /// <summary>Copies the snapshot into the model's own tensors (which the optimizer holds by identity).</summary>
    public void LoadInto(nn.Module model) => CopyInto(tensors, model);

    /// <summary>Copies tensors by state_dict name into the model, in place.</summary>
    public static void CopyInto(IReadOnlyDictionary<string, Tensor> source, nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in model.state_dict())
            tensor.copy_(source[name]);
    }

    /// <summary>Disposes the copied tensors.</summary>
    public void Dispose()
    {
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
    }
}
