using RnnMl.Text.Decoding;
using RnnMl.Text.Export;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using static RnnMl.Onnx.Tests.Support.Seq2SeqOnnxSupport;

namespace RnnMl.Onnx.Tests;

/// <summary>The C# decoding loop over the exported graphs gives the TorchSharp decoders' results: greedy and beam search,
/// batched, every attention kind.</summary>
public sealed class OnnxTranslatorTests : IDisposable
{
    private readonly string folder = TempFolder();

    /// <summary>Cell, attention, input feeding, tied output embeddings, embedding size (Q = 10: tied with 6 has a projection, with 10 none).</summary>
    public static TheoryData<RecurrentCellKind, AttentionKind, bool, bool, int> Models() => new()
    {
        { RecurrentCellKind.Gru, AttentionKind.None, false, false, 6 },
        { RecurrentCellKind.Lstm, AttentionKind.Bahdanau, true, false, 6 },
        { RecurrentCellKind.Rnn, AttentionKind.LuongDot, false, false, 6 },
        { RecurrentCellKind.Gru, AttentionKind.LuongGeneral, true, false, 6 },
        { RecurrentCellKind.Lstm, AttentionKind.LuongGeneral, false, false, 6 },
        { RecurrentCellKind.Gru, AttentionKind.LuongGeneral, false, true, 6 },
        { RecurrentCellKind.Lstm, AttentionKind.Bahdanau, true, true, 10 },
        { RecurrentCellKind.Gru, AttentionKind.None, false, true, 10 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_Greedy_EqualsTorchSharpGreedyDecoder(RecurrentCellKind cell, AttentionKind attention, bool inputFeeding, bool tie, int embedding)
    {
        using var model = Model(cell, cell, attention, inputFeeding: inputFeeding, tie: tie, embedding: embedding);
        using var translator = ExportAndLoad(model, TextInfo(), folder);
        var options = new DecodingOptions { BeamWidth = 1, MaxLengthRatio = 1.5, MaxLengthOffset = 3 };
        var (source, lengths) = TokenBatch.Pad(Sources);
        var expected = GreedyDecoder.Decode(model, source, lengths, options);
        var actual = translator.Decode(Sources, options);
        AssertSameDecoding(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_Beam_EqualsTorchSharpBeamSearch(RecurrentCellKind cell, AttentionKind attention, bool inputFeeding, bool tie, int embedding)
    {
        using var model = Model(cell, cell, attention, inputFeeding: inputFeeding, tie: tie, embedding: embedding);
        using var translator = ExportAndLoad(model, TextInfo(), folder);
        var (source, lengths) = TokenBatch.Pad(Sources);
        foreach (var options in new[]
        {
            // No pruning: every searching sentence keeps K live rows (see Decode_PrunedBeam_… for the default's pruning).
            new DecodingOptions { BeamWidth = 3, LengthPenalty = 1.0, MaxLengthRatio = 1.5, MaxLengthOffset = 3, RelativeThreshold = 0 },
            new DecodingOptions { BeamWidth = 4, LengthPenalty = 0, MaxLengthRatio = 1.0, MaxLengthOffset = 2, RelativeThreshold = 0 },
        })
            AssertSameDecoding(BeamSearchDecoder.Decode(model, source, lengths, options), translator.Decode(Sources, options));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_PrunedBeam_EqualsTorchSharpBeamSearch(RecurrentCellKind cell, AttentionKind attention, bool inputFeeding, bool tie, int embedding)
    {
        // TorchSharp runs only the live rows (fewer per sentence once pruned); ONNX Runtime runs all N·K: the same choices.
        using var model = Model(cell, cell, attention, inputFeeding: inputFeeding, tie: tie, embedding: embedding);
        using var translator = ExportAndLoad(model, TextInfo(), folder);
        var (source, lengths) = TokenBatch.Pad(Sources);
        foreach (var options in new[]
        {
            new DecodingOptions { BeamWidth = 4, LengthPenalty = 1.0, MaxLengthRatio = 1.5, MaxLengthOffset = 3, RelativeThreshold = 0.8, ShrinkBeamOnEnd = true },
            new DecodingOptions { BeamWidth = 5, MaxLengthRatio = 1.5, MaxLengthOffset = 3 },   // the defaults: relative threshold 0.5
            new DecodingOptions { BeamWidth = 3, LengthPenalty = 0.6, MaxLengthRatio = 1.5, MaxLengthOffset = 3, RelativeThreshold = 0.6, MaxCandidatesPerHypothesis = 2 },
        })
            AssertSameDecoding(BeamSearchDecoder.Decode(model, source, lengths, options), translator.Decode(Sources, options));
    }

    [Fact]
    public void Decode_BeamWidthOne_EqualsGreedy()
    {
        using var model = Model(RecurrentCellKind.Gru, RecurrentCellKind.Gru, AttentionKind.Bahdanau);
        using var translator = ExportAndLoad(model, TextInfo(), folder);
        var greedy = translator.Decode(Sources, new DecodingOptions { BeamWidth = 1 });
        var (source, lengths) = TokenBatch.Pad(Sources);
        var beamOne = BeamSearchDecoder.Decode(model, source, lengths, new DecodingOptions { BeamWidth = 1, LengthPenalty = 0 });
        AssertSameDecoding(beamOne, greedy);
    }

    [Fact]
    public void Translate_RawText_UsesExportedVocabulariesAndEmptyGivesEmpty()
    {
        using var model = Model(RecurrentCellKind.Gru, RecurrentCellKind.Gru, AttentionKind.LuongGeneral);
        var text = TextInfo(new DecodingOptions { BeamWidth = 1, MaxLengthOffset = 4 });
        using var translator = ExportAndLoad(model, text, folder);
        Assert.Equal(1, translator.Text.Decoding.BeamWidth);
        var (source, lengths) = TokenBatch.Pad(new[] { new long[] { 2, 3, 4, 5 } });
        var expected = GreedyDecoder.Decode(model, source, lengths, new DecodingOptions { BeamWidth = 1, MaxLengthOffset = 4 })[0];
        var translations = translator.Translate(new[] { "S2 s3 s4 s5", "", "s7" });
        Assert.Equal(text.DecodeTarget(expected.Tokens), translations[0]);
        Assert.Equal("", translations[1]);
        Assert.Equal(translator.Translate("s7"), translations[2]);
    }

    [Fact]
    public void Decode_BadInputs_ThrowArgumentExceptionsNamingParameterAndValues()
    {
        using var model = Model(RecurrentCellKind.Gru, RecurrentCellKind.Gru, AttentionKind.LuongDot);
        using var translator = ExportAndLoad(model, TextInfo(), folder);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => translator.Decode(new[] { new long[] { 2, 7, 3 }, new long[] { 4, 11 } }));
        Assert.Equal("sources", outOfRange.ParamName);
        Assert.Contains("between 0 and 10, got 11 in sentence 1 at position 1", outOfRange.Message);
        var empty = Assert.Throws<ArgumentException>(() => translator.Decode(new[] { new long[] { 2 }, Array.Empty<long>() }));
        Assert.Equal("sources", empty.ParamName);
        Assert.Contains("empty sentence 1", empty.Message);
        Assert.Equal("sources", Assert.Throws<ArgumentException>(() => translator.Decode(Array.Empty<long[]>())).ParamName);
        var beam = Assert.Throws<ArgumentOutOfRangeException>(() => translator.Decode(Sources, new DecodingOptions { BeamWidth = 0 }));
        Assert.Equal("BeamWidth", beam.ParamName);
        Assert.Contains("at least 1, got 0", beam.Message);
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => translator.Translate(new[] { "s2" }, batchSize: 0));
        Assert.Equal("batchSize", batch.ParamName);
        Assert.Contains("got 0", batch.Message);
    }

    [Fact]
    public void Export_TextNotFittingModel_ThrowsNamingBothSizes()
    {
        using var model = Model(RecurrentCellKind.Gru, RecurrentCellKind.Gru, AttentionKind.None);
        var text = TextInfo();
        var smaller = new TranslationModelInfo(text.SourceTokenizer, RnnMl.Text.Vocabulary.FromTokens(text.SourceVocabulary.Tokens.Take(7).ToArray()), text.TargetTokenizer, text.TargetVocabulary);
        var e = Assert.Throws<ArgumentException>(() => RnnMl.Export.OnnxExporter.Export(model, folder, smaller));
        Assert.Equal("text", e.ParamName);
        Assert.Contains("11 token ids, got 7", e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Load_MissingOrForeignGraphs_ThrowWithThePath()
    {
        Assert.Throws<DirectoryNotFoundException>(() => OnnxTranslator.Load(folder));
        Directory.CreateDirectory(folder);
        var missing = Assert.Throws<FileNotFoundException>(() => OnnxTranslator.Load(folder));
        Assert.Contains(RnnMl.Text.Export.Seq2SeqGraphNames.EncoderFile, missing.Message);
        // A classifier graph in the encoder's place is not a translator.
        using var classifier = Support.OnnxTestSupport.Model(RecurrentCellKind.Gru, 1, false);
        File.WriteAllBytes(Path.Combine(folder, Seq2SeqGraphNames.EncoderFile), Support.OnnxTestSupport.ExportBytes(classifier));
        File.WriteAllBytes(Path.Combine(folder, Seq2SeqGraphNames.DecoderFile), Support.OnnxTestSupport.ExportBytes(classifier));
        var foreign = Assert.Throws<InvalidDataException>(() => OnnxTranslator.Load(folder));
        Assert.Contains("no encoder input 'source'", foreign.Message);
        // Bare graphs (no text settings) load in ONNX Runtime but cannot translate text.
        using var model = Model(RecurrentCellKind.Gru, RecurrentCellKind.Gru, AttentionKind.None);
        RnnMl.Export.OnnxExporter.Export(model, folder);
        var bare = Assert.Throws<InvalidDataException>(() => OnnxTranslator.Load(folder));
        Assert.Contains("rnnml.format", bare.Message);
    }

    [Fact]
    public void TranslationModelInfo_MetadataRoundTrip_KeepsEverything()
    {
        var text = TextInfo(new DecodingOptions { BeamWidth = 2, LengthPenalty = 0.5, MaxLengthRatio = 1.25, MaxLengthOffset = 7, RelativeThreshold = 0.3, MaxCandidatesPerHypothesis = 3, ShrinkBeamOnEnd = true });
        var back = TranslationModelInfo.FromMetadata(text.ToMetadata());
        Assert.Equal(text.SourceVocabulary.Tokens, back.SourceVocabulary.Tokens);
        Assert.Equal(text.TargetVocabulary.Tokens, back.TargetVocabulary.Tokens);
        Assert.Equal(text.Decoding, back.Decoding);
        Assert.Equal((text.BeginId, text.EndId, text.MaxSourceLength), (back.BeginId, back.EndId, back.MaxSourceLength));
        var broken = text.ToMetadata().Where(p => p.Key != "rnnml.target.vocabulary").ToDictionary(p => p.Key, p => p.Value);
        Assert.Contains("rnnml.target.vocabulary", Assert.Throws<InvalidDataException>(() => { TranslationModelInfo.FromMetadata(broken); }).Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private static void AssertSameDecoding(IReadOnlyList<DecodedSequence> expected, IReadOnlyList<OnnxDecodedSequence> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Tokens.SequenceEqual(actual[i].Tokens),
                $"sentence {i}: TorchSharp [{string.Join(" ", expected[i].Tokens)}], ONNX [{string.Join(" ", actual[i].Tokens)}]");
            Assert.True(Math.Abs(expected[i].LogProbability - actual[i].LogProbability) <= 1e-4, $"sentence {i}: log p {expected[i].LogProbability} vs {actual[i].LogProbability}");
            Assert.True(Math.Abs(expected[i].Score - actual[i].Score) <= 1e-4, $"sentence {i}: score {expected[i].Score} vs {actual[i].Score}");
        }
    }
}
