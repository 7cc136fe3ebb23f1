using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using SequenceClassifier = RnnMl.Torch.Models.SequenceClassifier;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary>
/// The classifier pools mean and max over outputs its encoder leaves unlaid (padded steps unspecified, the reverse half
/// in its own order on a one-call batch) and applies the locked output dropout to the pooled features: in training mode,
/// with every dropout on and the same seed, its logits and every parameter gradient must equal the definition computed
/// step by step here (embedding, word-type and locked dropout, the encoder's exact output, locked output dropout
/// on every step, masked pooling, head dropout, linear), in float64, for every pooling kind.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceClassifierPoolingTests
{
    private const int V = 11, E = 7, Hidden = 5, C = 3;
    private static readonly long[] Lengths = { 7, 5, 3, 6, 1, 7, 4 };

    [Theory]
    [InlineData(PoolingKind.MeanMax, 1, 1e9, 7)]
    [InlineData(PoolingKind.MeanMax, 2, 1e9, 9)]
    [InlineData(PoolingKind.MeanMax, 1, 2.0, 7)]
    [InlineData(PoolingKind.Mean, 1, 1e9, 9)]
    [InlineData(PoolingKind.Max, 2, 1e9, 7)]
    [InlineData(PoolingKind.Last, 1, 1e9, 7)]
    [InlineData(PoolingKind.Attention, 1, 1e9, 7)]
    [InlineData(PoolingKind.Attention, 2, 2.0, 9)]
    public void Training_LogitsAndGradients_EqualTheStepByStepDefinition(PoolingKind pooling, int layers, double callCost, int steps)
    {
        using var costs = new SegmentCostOverride(callCost);
        using var scope = NewDisposeScope();
        manual_seed(41);
        var options = new SequenceClassifierOptions
        {
            VocabularySize = V, ClassCount = C, EmbeddingSize = E, HiddenSize = Hidden, NumLayers = layers, Pooling = pooling,
            Dropout = 0.3, EmbeddingDropout = 0.3, InputDropout = 0.3, OutputDropout = 0.4, Backend = RecurrentBackend.FusedRagged,
        };
        using var model = SequenceClassifier.Create(options);
        model.to(ScalarType.Float64);
        model.train();
        var tokens = randint(1, V, new long[] { Lengths.Length, steps }, dtype: ScalarType.Int64);
        var lengths = tensor(Lengths);
        var padded = arange(steps).unsqueeze(0).ge(lengths.unsqueeze(1));
        tokens = tokens.masked_fill(padded, 0);
        var weights = randn(Lengths.Length, C, ScalarType.Float64);

        (Tensor Logits, Tensor[] Grads) Run(Func<Tensor> logits)
        {
            manual_seed(5);
            var z = logits();
            (z * weights).sum().backward();
            var grads = model.parameters().Select(p => p.grad!.clone()).ToArray();
            model.zero_grad();
            return (z, grads);
        }

        var actual = Run(() => model.forward(tokens, lengths));
        var expected = Run(() => Definition(model, options, tokens, lengths, padded.unsqueeze(2), training: true));

        RnnAssert.Close(expected.Logits, actual.Logits, 1e-10, "logits");
        for (int i = 0; i < actual.Grads.Length; i++)
            RnnAssert.Close(expected.Grads[i], actual.Grads[i], 1e-10, $"parameter gradient {i}");

        // Inference (eval mode, no gradient: the kernel's inference path, no dropout).
        model.eval();
        using (no_grad())
            RnnAssert.Close(Definition(model, options, tokens, lengths, padded.unsqueeze(2), training: false),
                model.forward(tokens, lengths), 1e-10, "eval logits");
    }

    // The classifier as documented, every step written out, drawing its masks in the same order.
    private static Tensor Definition(SequenceClassifier model, SequenceClassifierOptions o, Tensor tokens, Tensor lengths, Tensor padded, bool training)
    {
        var x = SequenceDropout.WordTypes(model.Embedding.call(tokens), tokens, o.VocabularySize, o.EmbeddingDropout, training);
        x = SequenceDropout.Locked(x, o.InputDropout, training);
        // Laid out exactly (not poolingOnly), on the same rows order as the classifier's call, so that the inter-layer
        // dropout masks fall on the same rows (the public forward replays c and sorts).
        var (encoded, state) = model.Encoder.ForwardOutputsAndH(x, lengths: lengths);
        Tensor pooled;
        if (o.Pooling == PoolingKind.Last)
            pooled = cat(new[] { state.H[-2], state.H[-1] }, 1);
        else
        {
            encoded = SequenceDropout.Locked(encoded, o.OutputDropout, training);
            var mean = encoded.masked_fill(padded, 0).sum(1) / lengths.unsqueeze(1).to(ScalarType.Float64);
            var max = encoded.masked_fill(padded, double.NegativeInfinity).amax(new long[] { 1 });
            pooled = o.Pooling switch
            {
                PoolingKind.Mean => mean,
                PoolingKind.Max => max,
                PoolingKind.MeanMax => cat(new[] { mean, max }, 1),
                _ => Attend(model, encoded, padded),
            };
        }
        return model.Output.call(nn.functional.dropout(pooled, o.Dropout, training));
    }

    private static Tensor Attend(SequenceClassifier model, Tensor encoded, Tensor padded)
    {
        var scores = model.AttentionScore!.call(model.AttentionHidden!.call(encoded).tanh()).squeeze(2);
        var w = scores.masked_fill(padded.squeeze(2), double.NegativeInfinity).softmax(1);
        return (w.unsqueeze(2) * encoded).sum(1);
    }
}
