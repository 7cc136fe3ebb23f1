using Microsoft.ML.OnnxRuntime;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using static RnnMl.Onnx.Tests.Support.Seq2SeqOnnxSupport;
using static TorchSharp.torch;
using Names = RnnMl.Text.Export.Seq2SeqGraphNames;

namespace RnnMl.Onnx.Tests;

/// <summary>The exported encoder and decoder step, run by ONNX Runtime with strict shape inference, equal TorchSharp's
/// <see cref="Seq2SeqModel.Encode"/> and <see cref="Seq2SeqModel.Step"/> within 1e-4 on a variable-length source batch.</summary>
public sealed class Seq2SeqOnnxParityTests
{
    /// <summary>Every cell × every attention; directions, layers and input feeding vary across the cases.</summary>
    public static TheoryData<RecurrentCellKind, RecurrentCellKind, AttentionKind, bool, int, bool> Configurations()
    {
        var data = new TheoryData<RecurrentCellKind, RecurrentCellKind, AttentionKind, bool, int, bool>();
        int k = 0;
        foreach (var cell in Enum.GetValues<RecurrentCellKind>())
            foreach (var attention in Enum.GetValues<AttentionKind>())
            {
                k++;
                data.Add(cell, cell, attention, k % 2 == 0, k % 3 == 0 ? 2 : 1, attention != AttentionKind.None && k % 2 == 1);
            }
        // Mixed cells: an LSTM decoder bridges c from a GRU encoder's h; a GRU decoder ignores an LSTM encoder's c.
        data.Add(RecurrentCellKind.Gru, RecurrentCellKind.Lstm, AttentionKind.Bahdanau, true, 2, true);
        data.Add(RecurrentCellKind.Lstm, RecurrentCellKind.Gru, AttentionKind.LuongGeneral, true, 1, false);
        data.Add(RecurrentCellKind.Lstm, RecurrentCellKind.RnnRelu, AttentionKind.LuongDot, false, 2, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EncoderAndTwoDecoderSteps_VariableLengthBatch_EqualTorchSharp(RecurrentCellKind encoderCell, RecurrentCellKind decoderCell,
        AttentionKind attention, bool bidirectional, int layers, bool inputFeeding)
    {
        using var model = Model(encoderCell, decoderCell, attention, bidirectional, layers, inputFeeding);
        var (encoderBytes, decoderBytes) = ExportBytes(model);
        using var options = StrictOptions();
        using var encoder = new InferenceSession(encoderBytes, options);
        using var decoder = new InferenceSession(decoderBytes, options);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (source, lengths) = TokenBatch.Pad(Sources);
        var (memory, state) = model.Encode(source, lengths);
        int n = Sources.Length;
        long s = source.shape[1];

        var sourceIds = source.data<long>().ToArray();
        var lengthValues = lengths.data<long>().ToArray();
        using var sourceValue = OrtValue.CreateTensorValueFromMemory(sourceIds, new[] { (long)n, s });
        using var lengthValue = OrtValue.CreateTensorValueFromMemory(lengthValues, new[] { (long)n });
        var encoded = Run(encoder, new Dictionary<string, OrtValue> { [Names.Source] = sourceValue, [Names.SourceLengths] = lengthValue }, encoder.OutputMetadata.Keys);

        AssertClose(Floats(state.Recurrent.H), encoded[Names.H].Data, "h");
        Assert.Equal(state.Recurrent.C is not null, encoded.ContainsKey(Names.C));
        if (state.Recurrent.C is not null) AssertClose(Floats(state.Recurrent.C), encoded[Names.C].Data, "c");
        Assert.Equal(attention != AttentionKind.None, encoded.ContainsKey(Names.Memory));
        if (attention != AttentionKind.None)
        {
            AssertClose(Floats(memory.Outputs), encoded[Names.Memory].Data, "memory");
            AssertClose(Floats(memory.Valid.to(ScalarType.Float32)), encoded[Names.SourceMask].Data, "source_mask", 0);
            Assert.Equal(attention != AttentionKind.LuongDot, encoded.ContainsKey(Names.Keys));
            if (encoded.ContainsKey(Names.Keys)) AssertClose(Floats(memory.Keys!), encoded[Names.Keys].Data, "keys");
        }

        // Two steps: the second starts from each runtime's own first-step state, so differences could not hide.
        var onnxState = new Dictionary<string, float[]> { [Names.H] = encoded[Names.H].Data };
        if (encoded.ContainsKey(Names.C)) onnxState[Names.C] = encoded[Names.C].Data;
        int q = model.Options.ResolvedDecoderHiddenSize;
        if (inputFeeding) onnxState[Names.Feed] = new float[n * q];
        foreach (var previousIds in new[] { new long[] { 2, 2, 2, 2 }, new long[] { 5, 12, 3, 7 } })
        {
            var (logits, next, weights) = model.Step(tensor(previousIds), state, memory);
            var inputs = new Dictionary<string, OrtValue>();
            try
            {
                inputs[Names.Previous] = OrtValue.CreateTensorValueFromMemory(previousIds, new long[] { n });
                foreach (var (name, data) in onnxState)
                    inputs[name] = OrtValue.CreateTensorValueFromMemory(data, name == Names.Feed ? new long[] { n, q } : new long[] { layers, n, q });
                if (attention != AttentionKind.None)
                {
                    inputs[Names.Memory] = OrtValue.CreateTensorValueFromMemory(encoded[Names.Memory].Data, encoded[Names.Memory].Shape);
                    if (encoded.ContainsKey(Names.Keys)) inputs[Names.Keys] = OrtValue.CreateTensorValueFromMemory(encoded[Names.Keys].Data, encoded[Names.Keys].Shape);
                    inputs[Names.SourceMask] = OrtValue.CreateTensorValueFromMemory(encoded[Names.SourceMask].Data.Select(x => x != 0).ToArray(), encoded[Names.SourceMask].Shape);
                }
                var stepped = Run(decoder, inputs, decoder.OutputMetadata.Keys);
                AssertClose(Floats(logits.log_softmax(1)), stepped[Names.LogProbabilities].Data, "log_probabilities");
                AssertClose(Floats(next.Recurrent.H), stepped[Names.NewH].Data, "new_h");
                onnxState[Names.H] = stepped[Names.NewH].Data;
                if (next.Recurrent.C is not null)
                {
                    AssertClose(Floats(next.Recurrent.C), stepped[Names.NewC].Data, "new_c");
                    onnxState[Names.C] = stepped[Names.NewC].Data;
                }
                Assert.Equal(inputFeeding, stepped.ContainsKey(Names.NewFeed));
                if (inputFeeding)
                {
                    AssertClose(Floats(next.Feed!), stepped[Names.NewFeed].Data, "new_feed");
                    onnxState[Names.Feed] = stepped[Names.NewFeed].Data;
                }
                Assert.Equal(weights is not null, stepped.ContainsKey(Names.Attention));
                if (weights is not null)
                {
                    var w = stepped[Names.Attention].Data;
                    AssertClose(Floats(weights), w, "attention");
                    // Padding is masked: exactly zero weight beyond each source's length.
                    for (int i = 0; i < n; i++)
                        for (long t = lengthValues[i]; t < s; t++)
                            Assert.Equal(0f, w[i * s + t]);
                }
                state = next;
            }
            finally
            {
                foreach (var v in inputs.Values) v.Dispose();
            }
        }
    }
}
