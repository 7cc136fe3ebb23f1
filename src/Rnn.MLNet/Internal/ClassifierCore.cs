using RnnMl.Text.Internal;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>The trained network and its input encoding; scores batches of rows. Safe to call from several threads at once.</summary>
internal sealed class ClassifierCore : IDisposable
{
    public ClassifierCore(SequenceClassifier model, TokenEncoder encoder, Device device)
    {
        Model = model;
        Encoder = encoder;
        Device = device;
        // Set once; prediction never switches modes, which is what makes concurrent calls safe.
        Model.eval();
    }

    /// <summary>Guards the network against use during and after <see cref="Dispose"/>.</summary>
    public UsageGate Gate { get; } = new("RecurrentTextClassifierTransformer");

    public SequenceClassifier Model { get; }
    public TokenEncoder Encoder { get; }
    public Device Device { get; }
    public int ClassCount => Model.Options.ClassCount;

    /// <summary>Logits, one row of C values per sequence.</summary>
    public float[][] Logits(IReadOnlyList<long[]> ids)
    {
        using var lease = Gate.Enter();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tokens, lengths) = TokenBatch.Pad(ids, device: Device);
        using var logits = Model.forward(tokens, lengths).to(ScalarType.Float32).cpu();
        var flat = logits.data<float>().ToArray();
        int c = ClassCount;
        var rows = new float[ids.Count][];
        for (int i = 0; i < rows.Length; i++) rows[i] = flat.AsSpan(i * c, c).ToArray();
        return rows;
    }

    /// <summary>Waits for the scoring calls in flight, refuses new ones, then frees the network.</summary>
    public void Dispose()
    {
        if (Gate.Close()) Model.Dispose();
    }
}
