using RnnMl.Export;
using RnnMl.Text;
using RnnMl.Text.Export;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests;

/// <summary>An exported <see cref="SequenceTagger"/> run by <see cref="OnnxSequenceTagger"/> tags exactly as TorchSharp does.</summary>
public sealed class OnnxSequenceTaggerTests : IDisposable
{
    private static readonly string[] BioTags = { "O", "B-PER", "I-PER", "B-LOC", "I-LOC" };
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-tagger-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Lengths 1..9, one empty sentence, in no particular order: a variable-length batch.
    private static List<string[]> Sentences()
    {
        var random = new Random(7);
        var lengths = new[] { 5, 1, 9, 0, 3, 7, 2, 8, 4, 6 };
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ => random.Next(6) == 0 ? "Zq" + random.Next(100) : "w" + random.Next(20)).ToArray()).ToList();
    }

    private static (SequenceTagger Model, TaggerModelInfo Info) Tagger(bool crf, bool characters, bool constrained, RnnMl.Torch.Layers.RecurrentCellKind cell,
        CharacterEncoderKind encoder = CharacterEncoderKind.BiLstm)
    {
        var words = Vocabulary.Build(new[] { Enumerable.Range(0, 20).Select(i => "w" + i) });
        var chars = TaggerCharacters.BuildVocabulary(new[] { Enumerable.Range(0, 20).Select(i => "w" + i) });
        manual_seed(17);
        var model = SequenceTagger.Create(new SequenceTaggerOptions
        {
            VocabularySize = words.Count, TagCount = BioTags.Length, EmbeddingSize = 7, HiddenSize = 6, NumLayers = 2, Cell = cell,
            UseCrf = crf, Constraints = constrained ? TagTransitionConstraints.FromTagNames(BioTags, TagScheme.Bio) : null,
            CharacterVocabularySize = characters ? chars.Count : 0, CharacterEmbeddingSize = 5, CharacterHiddenSize = 4,
            CharacterEncoder = encoder,
        });
        using (no_grad())
        {
            // Scores large enough that emissions of an untrained model vary and Viterbi differs from the per-token argmax.
            model.named_parameters().First(p => p.name == "output.weight").parameter.mul_(8);
            if (crf) model.Crf!.Transitions.uniform_(-3, 3);
        }
        model.eval();
        return (model, new TaggerModelInfo(Tokenizer.Create(TokenizerKind.Word, lowerCase: false), words, BioTags, characters ? chars : null));
    }

    private static long[][] TorchTags(SequenceTagger model, TaggerModelInfo info, IReadOnlyList<string[]> sentences)
        => model.Tag(sentences.Select(s => info.Vocabulary.Encode(s)).ToList(),
            info.Characters is { } c ? sentences.Select(s => TaggerCharacters.Encode(c, s)).ToList() : null);

    [Theory]
    [InlineData(true, true, false, RnnMl.Torch.Layers.RecurrentCellKind.Lstm)]
    [InlineData(true, false, true, RnnMl.Torch.Layers.RecurrentCellKind.Gru)]
    [InlineData(false, true, false, RnnMl.Torch.Layers.RecurrentCellKind.Lstm)]
    [InlineData(true, true, true, RnnMl.Torch.Layers.RecurrentCellKind.Lstm)]
    [InlineData(true, true, false, RnnMl.Torch.Layers.RecurrentCellKind.Lstm, CharacterEncoderKind.Cnn)]
    [InlineData(false, true, false, RnnMl.Torch.Layers.RecurrentCellKind.Gru, CharacterEncoderKind.Cnn)]
    public void Tags_OfAVariableLengthBatch_EqualTorchSharps(bool crf, bool characters, bool constrained, RnnMl.Torch.Layers.RecurrentCellKind cell,
        CharacterEncoderKind encoder = CharacterEncoderKind.BiLstm)
    {
        var (model, info) = Tagger(crf, characters, constrained, cell, encoder);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        OnnxExporter.Export(model, path, info);
        var sentences = Sentences();
        var expected = TorchTags(model, info, sentences);

        using var tagger = OnnxSequenceTagger.Load(path);
        var byName = tagger.Tag(sentences, batchSize: 4);
        var byId = tagger.TagIds(sentences.Select(s => info.Vocabulary.Encode(s)).ToList(),
            characters ? sentences.Select(s => TaggerCharacters.Encode(info.Characters!, s)).ToList() : null);
        for (int i = 0; i < sentences.Count; i++)
        {
            Assert.Equal(expected[i], byId[i]);
            Assert.Equal(expected[i].Select(t => BioTags[t]), byName[i]);
        }
        Assert.Empty(byName[3]);
        Assert.Equal(crf, tagger.Info.Crf is not null);
        if (constrained)
            foreach (var tags in byName)
                for (int t = 0; t < tags.Length; t++)
                    if (tags[t].StartsWith("I-", StringComparison.Ordinal))
                        Assert.True(t > 0 && tags[t - 1][2..] == tags[t][2..], $"ill-formed: {string.Join(" ", tags)}");
        if (crf)
        {
            // The CRF matters here: decoding with transitions differs from each token's argmax somewhere.
            using var scope = NewDisposeScope();
            var ids = sentences.Where(s => s.Length > 0).Select(s => info.Vocabulary.Encode(s)).ToList();
            var (x, n) = RnnMl.Torch.Text.TokenBatch.Pad(ids);
            var c = characters ? RnnMl.Torch.Text.CharacterBatch.Pad(sentences.Where(s => s.Length > 0).Select(s => TaggerCharacters.Encode(info.Characters!, s)).ToList()) : null;
            var argmax = model.forward(x, n, c).argmax(2);
            var viterbi = TorchTags(model, info, sentences.Where(s => s.Length > 0).ToList());
            Assert.Contains(viterbi.Select((v, i) => v.SequenceEqual(argmax[i].data<long>().ToArray()[..v.Length])), same => !same);
        }
    }

    [Fact]
    public void Tags_DifferFromTorchSharps_WhenOneTransitionIsPerturbed()
    {
        var (model, info) = Tagger(crf: true, characters: true, constrained: false, RnnMl.Torch.Layers.RecurrentCellKind.Lstm);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        OnnxExporter.Export(model, path, info);
        var sentences = Sentences();
        var before = TorchTags(model, info, sentences);
        using (no_grad()) model.Crf!.Transitions[1, 3].add_(20);   // B-PER → B-LOC now dominates
        var after = TorchTags(model, info, sentences);
        Assert.NotEqual(before.SelectMany(t => t), after.SelectMany(t => t));

        using var tagger = OnnxSequenceTagger.Load(path);
        var onnx = tagger.Tag(sentences);
        Assert.Equal(before.SelectMany(t => t).Select(t => BioTags[t]), onnx.SelectMany(t => t));
        Assert.NotEqual(after.SelectMany(t => t).Select(t => BioTags[t]), onnx.SelectMany(t => t));
        Assert.Equal(before.SelectMany(t => t), tagger.TagIds(sentences.Select(s => info.Vocabulary.Encode(s)).ToList(),
            sentences.Select(s => TaggerCharacters.Encode(info.Characters!, s)).ToList()).SelectMany(t => t));
    }

    [Fact]
    public void CnnTags_DifferFromTorchSharps_WhenOneFilterIsPerturbed()
    {
        var (model, info) = Tagger(crf: false, characters: true, constrained: false, RnnMl.Torch.Layers.RecurrentCellKind.Lstm, CharacterEncoderKind.Cnn);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        OnnxExporter.Export(model, path, info);
        var sentences = Sentences();
        var before = TorchTags(model, info, sentences);
        using (no_grad()) model.Characters!.Convolution!.weight![2].mul_(-40);   // one filter of the character CNN
        var after = TorchTags(model, info, sentences);
        Assert.NotEqual(before.SelectMany(t => t), after.SelectMany(t => t));

        using var tagger = OnnxSequenceTagger.Load(path);
        var onnx = tagger.Tag(sentences).SelectMany(t => t).ToArray();
        Assert.Equal(before.SelectMany(t => t).Select(t => BioTags[t]), onnx);
        Assert.NotEqual(after.SelectMany(t => t).Select(t => BioTags[t]), onnx);
    }

    [Fact]
    public void Metadata_HoldsTagNamesVocabulariesAndConstrainedCrfScores_AndBadInputsThrow()
    {
        var (model, info) = Tagger(crf: true, characters: true, constrained: true, RnnMl.Torch.Layers.RecurrentCellKind.Lstm);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        OnnxExporter.Export(model, path, info);
        using var tagger = OnnxSequenceTagger.Load(path);
        Assert.Equal(BioTags, tagger.Info.TagNames);
        Assert.Equal(info.Vocabulary.Tokens, tagger.Info.Vocabulary.Tokens);
        Assert.Equal(info.Characters!.Tokens, tagger.Info.Characters!.Tokens);
        // O → I-PER is disallowed: stored as the disallowed score, exactly as LinearChainCrf.Decode applies it.
        Assert.Equal(TagTransitionConstraints.DisallowedScore, tagger.Info.Crf!.Transitions[0 * 5 + 2]);
        Assert.Equal((double)model.Crf!.Transitions[1, 3].item<float>(), tagger.Info.Crf.Transitions[1 * 5 + 3]);

        var e = Assert.Throws<ArgumentException>(() => tagger.TagIds(new[] { new long[] { 2, 3 } }));
        Assert.Equal("characters", e.ParamName);
        Assert.Contains("2 tokens", Assert.Throws<ArgumentException>(() => tagger.TagIds(new[] { new long[] { 2, 3 } }, new[] { new[] { new long[] { 2 } } })).Message);
        Assert.Contains("got 77", Assert.Throws<ArgumentOutOfRangeException>(() => tagger.TagIds(new[] { new long[] { 2, 77 } }, new[] { new[] { new long[] { 2 }, new long[] { 3 } } })).Message);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, Path.Combine(folder, "bad.onnx"), new TaggerModelInfo(info.Tokenizer, info.Vocabulary, BioTags[..4], info.Characters)));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, Path.Combine(folder, "bad.onnx"), new TaggerModelInfo(info.Tokenizer, info.Vocabulary, BioTags)));
        Assert.False(tagger.Info.LowerCaseWords);
        var lower = TaggerModelInfo.FromMetadata(new TaggerModelInfo(info.Tokenizer, info.Vocabulary, BioTags, info.Characters, lowerCaseWords: true).ToMetadata());
        Assert.True(lower.LowerCaseWords);
        Assert.Equal(new long[] { info.Vocabulary.IdOf("w1"), Vocabulary.UnknownId }, lower.EncodeWords(new[] { "W1", "Zq" }));
        Assert.Equal(info.Characters.IdOf("w"), lower.EncodeCharacters(new[] { "W1", "w1" })![1][0]);
        Assert.NotEqual(info.Characters.IdOf("w"), lower.EncodeCharacters(new[] { "W1" })![0][0]);
        var (tokens, tags) = tagger.Tag("w1 w2 Zq");
        Assert.Equal(new[] { "w1", "w2", "Zq" }, tokens);
        Assert.Equal(3, tags.Count);
        tagger.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tagger.Tag("w1"));
    }
}
