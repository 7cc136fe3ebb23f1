using RnnMl.Torch.Cells;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary>
/// The ONNX exporters read weights through the models' public parts (embeddings, the layers' cells, linear modules),
/// never by parameter name. These tests hold the parts to the model: together they reach every parameter the model
/// registers, each exactly once, so a parameter added or renamed without its part fails here instead of being left out
/// of an export.
/// </summary>
public class ModelPartsTests
{
    [Theory]
    [InlineData(PoolingKind.Attention, RecurrentCellKind.Lstm, true)]
    [InlineData(PoolingKind.MeanMax, RecurrentCellKind.Gru, false)]
    public void SequenceClassifier_PartsReachEveryParameterOnce(PoolingKind pooling, RecurrentCellKind cell, bool bidirectional)
    {
        using var model = SequenceClassifier.Create(new SequenceClassifierOptions
        {
            VocabularySize = 11, ClassCount = 3, EmbeddingSize = 4, HiddenSize = 5, NumLayers = 2, Cell = cell, Bidirectional = bidirectional, Pooling = pooling,
        });
        var parts = new List<Tensor?> { model.Embedding.weight };
        parts.AddRange(CellParameters(model.Encoder));
        parts.AddRange(LinearParameters(model.AttentionHidden, model.AttentionScore, model.Output));
        AssertSameParameters(model, parts);
        Assert.Equal(pooling == PoolingKind.Attention, model.AttentionHidden is not null && model.AttentionScore is not null);
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau, RecurrentCellKind.Lstm)]
    [InlineData(AttentionKind.LuongGeneral, RecurrentCellKind.Gru)]
    [InlineData(AttentionKind.None, RecurrentCellKind.Rnn)]
    public void Seq2SeqModel_PartsReachEveryParameterOnce(AttentionKind attention, RecurrentCellKind decoderCell)
    {
        using var model = Seq2SeqModel.Create(new Seq2SeqOptions
        {
            SourceVocabularySize = 11, TargetVocabularySize = 13, EmbeddingSize = 4, HiddenSize = 5, Attention = attention, DecoderCell = decoderCell,
        });
        var parts = new List<Tensor?> { model.SourceEmbedding.weight, model.TargetEmbedding.weight };
        parts.AddRange(CellParameters(model.Encoder));
        parts.AddRange(CellParameters(model.Decoder));
        parts.AddRange(LinearParameters(model.BridgeH, model.BridgeC, model.Combine, model.Output,
            model.Attention?.Key, model.Attention?.Query, model.Attention?.Score));
        AssertSameParameters(model, parts);
        Assert.Equal(decoderCell == RecurrentCellKind.Lstm, model.BridgeC is not null);
    }

    [Theory]
    [InlineData(PoolingKind.MeanMax, RecurrentCellKind.Lstm, true)]
    [InlineData(PoolingKind.Last, RecurrentCellKind.Gru, false)]
    public void NumericSequenceModel_PartsReachEveryParameterOnce(PoolingKind pooling, RecurrentCellKind cell, bool bidirectional)
    {
        using var model = NumericSequenceModel.Create(new NumericSequenceOptions
        {
            FeaturesPerStep = 3, Outputs = 2, ProjectionSize = 4, HiddenSize = 5, NumLayers = 2, Cell = cell, Bidirectional = bidirectional, Pooling = pooling,
        });
        var parts = new List<Tensor?>(LinearParameters(model.Projection));
        parts.AddRange(CellParameters(model.Encoder));
        parts.AddRange(LinearParameters(model.Output));
        AssertSameParameters(model, parts);
    }

    private static IEnumerable<Tensor?> CellParameters(RecurrentLayer layer) =>
        layer.Cells.Cast<TorchLayoutCell>().SelectMany(c => new Tensor?[] { c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh });

    private static IEnumerable<Tensor?> LinearParameters(params Linear?[] linears) =>
        linears.Where(l => l is not null).SelectMany(l => new Tensor?[] { l!.weight, l.bias });

    // Zeroes every registered parameter, fills part k with k, then reads which part each registered parameter is:
    // 0 means no part reaches it; a part filled twice (or two parts sharing a tensor) shows as fewer distinct ids.
    private static void AssertSameParameters(TorchSharp.torch.nn.Module model, IEnumerable<Tensor?> parts)
    {
        var reached = parts.OfType<Tensor>().ToList();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (_, p) in model.named_parameters()) p.zero_();
            for (int k = 0; k < reached.Count; k++) reached[k].fill_(k + 1);
        }
        var ids = model.named_parameters().Select(p => (p.name, Id: p.parameter.flatten()[0].to(ScalarType.Float64).item<double>())).ToList();
        var missing = ids.Where(p => p.Id == 0).Select(p => p.name).ToList();
        Assert.True(missing.Count == 0, $"parameters no part reaches: {string.Join(", ", missing)}");
        Assert.Equal(reached.Count, ids.Count);
        Assert.Equal(reached.Count, ids.Select(p => p.Id).Distinct().Count());
    }
}
