using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Support;

/// <summary>Small sequence-to-sequence models and batches for the tests.</summary>
internal static class Seq2SeqTestSupport
{
    public const int SourceVocabulary = 11;
    public const int TargetVocabulary = 13;

    /// <summary>A tiny model in eval mode; float64 is not needed, the comparisons are between equal computations.</summary>
    public static Seq2SeqModel Model(AttentionKind attention, RecurrentCellKind cell = RecurrentCellKind.Gru, bool inputFeeding = false,
        bool bidirectional = true, int layers = 1, double teacherForcing = 1.0, long seed = 3, bool tie = false, int embedding = 6)
    {
        manual_seed(seed);
        var model = Seq2SeqModel.Create(new Seq2SeqOptions
        {
            SourceVocabularySize = SourceVocabulary,
            TargetVocabularySize = TargetVocabulary,
            EmbeddingSize = embedding,
            HiddenSize = 5,
            EncoderLayers = layers,
            DecoderLayers = layers,
            Bidirectional = bidirectional,
            EncoderCell = cell,
            DecoderCell = cell,
            Attention = attention,
            InputFeeding = inputFeeding,
            TeacherForcingRatio = teacherForcing,
            Dropout = 0.1,
            TieEmbeddings = tie,
        });
        model.eval();
        return model;
    }

    /// <summary>Three padded source sentences of lengths 4, 2 and 3 (ids ≥ 2).</summary>
    public static (Tensor Source, Tensor Lengths) Sources() => (
        tensor(new long[] { 2, 3, 4, 5, 6, 7, 0, 0, 8, 9, 10, 0 }, new long[] { 3, 4 }),
        tensor(new long[] { 4, 2, 3 }));

    public static IEnumerable<object[]> AttentionKinds() =>
        Enum.GetValues<AttentionKind>().Select(k => new object[] { k });
}
