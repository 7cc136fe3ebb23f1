using RnnMl.Onnx.Tests.Support;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static RnnMl.Onnx.Tests.Support.OnnxTestSupport;

namespace RnnMl.Onnx.Tests;

/// <summary>ONNX Runtime's scores of an exported classifier equal TorchSharp's within 1e-4 on a variable-length batch.</summary>
public sealed class OnnxExporterParityTests
{
    public static TheoryData<RecurrentCellKind, int, bool, PoolingKind> Configurations()
    {
        var data = new TheoryData<RecurrentCellKind, int, bool, PoolingKind>();
        var poolings = Enum.GetValues<PoolingKind>();
        int k = 0;
        foreach (var cell in Enum.GetValues<RecurrentCellKind>())
            foreach (int layers in new[] { 1, 2 })
                foreach (bool bidirectional in new[] { false, true })
                    data.Add(cell, layers, bidirectional, poolings[k++ % poolings.Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Export_VariableLengthBatch_OnnxRuntimeScoresEqualTorchSharp(RecurrentCellKind cell, int layers, bool bidirectional, PoolingKind pooling)
    {
        using var model = Model(cell, layers, bidirectional, pooling);
        var expected = TorchScores(model, Batch);
        var (scores, probabilities) = OnnxScores(ExportBytes(model), Batch);
        AssertClose(expected, scores);
        AssertClose(Softmax(expected), probabilities);
    }

    [Theory]
    [InlineData(PoolingKind.Last)]
    [InlineData(PoolingKind.Mean)]
    [InlineData(PoolingKind.Max)]
    [InlineData(PoolingKind.MeanMax)]
    [InlineData(PoolingKind.Attention)]
    public void Export_EveryPooling_BidirectionalTwoLayerLstm_EqualsTorchSharp(PoolingKind pooling)
    {
        using var model = Model(RecurrentCellKind.Lstm, 2, true, pooling);
        AssertClose(TorchScores(model, Batch), OnnxScores(ExportBytes(model), Batch).Scores);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Export_FullLengthBatchAndSingleSequence_EqualsTorchSharp(RecurrentCellKind cell, int layers, bool bidirectional, PoolingKind pooling)
    {
        // Without padding TorchSharp takes other kernels than with it; both must match.
        using var model = Model(cell, layers, bidirectional, pooling);
        var onnx = ExportBytes(model);
        var full = new[] { Batch[0], Batch[0].Reverse().ToArray() };
        AssertClose(TorchScores(model, full), OnnxScores(onnx, full).Scores);
        var one = new[] { Batch[2] };
        AssertClose(TorchScores(model, one), OnnxScores(onnx, one).Scores);
    }

    [Fact]
    public void Export_PaddingValues_DoNotChangeScores()
    {
        // Padded steps are masked by lengths, not by the pad id: other ids in the padding must not matter.
        using var model = Model(RecurrentCellKind.Lstm, 1, true, PoolingKind.Max);
        var onnx = ExportBytes(model);
        var padded = new[] { new long[] { 4, 5, 6 }, new long[] { 7, 8, 9, 10, 11, 12 } };
        var single = OnnxScores(onnx, new[] { padded[0] }).Scores[0];
        // The short sequence is padded with three steps of 0, of 3 and of 12 (ids the model embeds): same scores.
        foreach (long pad in new long[] { 0, 3, 12 })
        {
            var scores = OnnxScores(onnx, padded, padWith: pad).Scores;
            AssertClose(new[] { single }, new[] { scores[0] });
        }
        // The padding ids do reach the graph: scoring the short sequence as if the padding were real steps differs.
        var unmasked = OnnxScores(onnx, new[] { new long[] { 4, 5, 6, 12, 12, 12 } }).Scores[0];
        Assert.True(single.Zip(unmasked).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "padding with 12 as real steps should change the scores");
    }
}

