using RnnMl.Text.Internal;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>The trained network (one classifier, or several averaged: <see cref="Classification.RecurrentTextClassifierOptions.EnsembleSize"/>)
/// and its input encoding; scores batches of rows. Safe to call from several threads at once.</summary>
internal sealed class ClassifierCore : TaskCore<SequenceClassifierEnsemble>
{
    public ClassifierCore(SequenceClassifierEnsemble model, TokenEncoder encoder, Device device)
        : base(model, device, "RecurrentTextClassifierTransformer")
    {
        Encoder = encoder;
    }

    public TokenEncoder Encoder { get; }
    public int ClassCount => Model.ClassCount;

    /// <summary>Scores, one row of C values per sequence: the logits, or for several members the log of their mean probabilities.</summary>
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
}
