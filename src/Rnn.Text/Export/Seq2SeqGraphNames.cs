namespace RnnMl.Text.Export;

/// <summary>The names of the inputs and outputs of an exported translator's two graphs, the encoder and one decoder step
/// (shared by the exporter and the libtorch-free inference library).</summary>
/// <remarks>
/// Shapes: N batch (sentences, or sentences × beams in the decoder), S source steps, E encoder output size, L decoder
/// layers, Q decoder hidden size, V target vocabulary. N and S are dynamic. The encoder's outputs
/// <see cref="Memory"/>, <see cref="Keys"/>, <see cref="SourceMask"/>, <see cref="H"/> and <see cref="C"/> feed the
/// decoder's inputs of the same names; each step's <see cref="NewH"/>, <see cref="NewC"/> and <see cref="NewFeed"/> feed the
/// next step's <see cref="H"/>, <see cref="C"/> and <see cref="Feed"/>. Inputs a model does not use are absent from its graph.
/// </remarks>
public static class Seq2SeqGraphNames
{
    /// <summary>Encoder file name in an exported folder.</summary>
    public const string EncoderFile = "encoder.onnx";

    /// <summary>Decoder-step file name in an exported folder.</summary>
    public const string DecoderFile = "decoder.onnx";

    /// <summary>Encoder input: source ids (N, S) int64, padded with <see cref="Vocabulary.PaddingId"/>.</summary>
    public const string Source = "source";

    /// <summary>Encoder input: source lengths (N) int64, each in [1, S].</summary>
    public const string SourceLengths = "source_lengths";

    /// <summary>Encoder output / decoder input: encoder outputs (N, S, E), zero at padded steps (absent without attention).</summary>
    public const string Memory = "memory";

    /// <summary>Encoder output / decoder input: the attention's key projection of the memory (N, S, Q) (Bahdanau and Luong general only).</summary>
    public const string Keys = "keys";

    /// <summary>Encoder output / decoder input: (N, S) bool, true at real source steps (absent without attention).</summary>
    public const string SourceMask = "source_mask";

    /// <summary>Encoder output (initial, through the bridge) / decoder input: hidden state (L, N, Q) float.</summary>
    public const string H = "h";

    /// <summary>Encoder output / decoder input: LSTM cell state (L, N, Q) float (LSTM decoders only).</summary>
    public const string C = "c";

    /// <summary>Decoder input: the previous step's attentional vector (N, Q) (input feeding only; zeros at the first step).</summary>
    public const string Feed = "feed";

    /// <summary>Decoder input: the previous token of each row (N) int64 (the begin id at the first step).</summary>
    public const string Previous = "previous";

    /// <summary>Decoder output: log-probabilities over the target vocabulary (N, V) float (log-softmax of the logits).</summary>
    public const string LogProbabilities = "log_probabilities";

    /// <summary>Decoder output: the new hidden state (L, N, Q).</summary>
    public const string NewH = "new_h";

    /// <summary>Decoder output: the new LSTM cell state (L, N, Q) (LSTM decoders only).</summary>
    public const string NewC = "new_c";

    /// <summary>Decoder output: this step's attentional vector (N, Q) (input feeding only).</summary>
    public const string NewFeed = "new_feed";

    /// <summary>Decoder output: this step's attention weights over the source (N, S), 0 at padding (absent without attention).</summary>
    public const string Attention = "attention";
}
