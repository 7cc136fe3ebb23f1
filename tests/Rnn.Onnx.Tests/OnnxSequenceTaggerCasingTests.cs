using RnnMl.Export;
using RnnMl.Text;
using RnnMl.Text.Export;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests;

/// <summary>A tagger with the casing feature (lower-cased word ids + the casing class of each token) tags on ONNX Runtime exactly as in TorchSharp.</summary>
public sealed class OnnxSequenceTaggerCasingTests : IDisposable
{
    private static readonly string[] BioTags = { "O", "B-PER", "I-PER", "B-LOC", "I-LOC" };
    private static readonly string[] Words = { "cat", "dog", "run", "big", "the", "paris", "us" };
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-tagger-casing-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Lengths 0..9 in no particular order; each token lower, Title or UPPER case, or a number, or punctuation.
    private static List<string[]> Sentences()
    {
        var random = new Random(7);
        var lengths = new[] { 5, 1, 9, 0, 3, 7, 2, 8, 4, 6 };
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ =>
        {
            var w = Words[random.Next(Words.Length)];
            return random.Next(6) switch
            {
                0 or 1 => w,
                2 => char.ToUpperInvariant(w[0]) + w[1..],
                3 => w.ToUpperInvariant(),
                4 => random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => ",",
            };
        }).ToArray()).ToList();
    }

    private static (SequenceTagger Model, TaggerModelInfo Info) Tagger(bool crf, bool characters)
    {
        var words = Vocabulary.Build(new[] { Words });
        var chars = TaggerCharacters.BuildVocabulary(new[] { Words.Concat(Words.Select(w => w.ToUpperInvariant())).Append("0123456789,") });
        manual_seed(23);
        var model = SequenceTagger.Create(new SequenceTaggerOptions
        {
            VocabularySize = words.Count, TagCount = BioTags.Length, EmbeddingSize = 7, HiddenSize = 6, UseCrf = crf,
            CharacterVocabularySize = characters ? chars.Count : 0, CharacterEmbeddingSize = 5, CharacterHiddenSize = 4,
            CasingEmbeddingSize = 3,
        });
        using (no_grad())
        {
            // Large enough that the casing class changes the tags of an untrained model.
            model.named_parameters().First(p => p.name == "output.weight").parameter.mul_(8);
            model.named_parameters().First(p => p.name == "casing.weight").parameter.mul_(6);
            if (crf) model.Crf!.Transitions.uniform_(-3, 3);
        }
        model.eval();
        return (model, new TaggerModelInfo(Tokenizer.Create(TokenizerKind.Word, lowerCase: false), words, BioTags, characters ? chars : null, lowerCaseWords: true, casing: true));
    }

    private static long[][] TorchTags(SequenceTagger model, TaggerModelInfo info, IReadOnlyList<string[]> sentences, bool allLower = false)
        => model.Tag(sentences.Select(s => info.EncodeWords(s)).ToList(), info.Characters is null ? null : sentences.Select(s => info.EncodeCharacters(s)!).ToList(),
            casing: sentences.Select(s => allLower ? s.Select(_ => TokenCasing.AllLower).ToArray() : TokenCasing.Encode(s)).ToList());

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Tags_OfAVariableLengthBatch_EqualTorchSharps(bool crf, bool characters)
    {
        var (model, info) = Tagger(crf, characters);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        OnnxExporter.Export(model, path, info);
        var sentences = Sentences();
        var expected = TorchTags(model, info, sentences);
        // Not vacuous: the casing ids change TorchSharp's tags.
        Assert.NotEqual(expected.SelectMany(t => t), TorchTags(model, info, sentences, allLower: true).SelectMany(t => t));

        using var tagger = OnnxSequenceTagger.Load(path);
        Assert.True(tagger.Info.Casing);
        var byName = tagger.Tag(sentences, batchSize: 4);
        var byId = tagger.TagIds(sentences.Select(s => info.EncodeWords(s)).ToList(), info.Characters is null ? null : sentences.Select(s => info.EncodeCharacters(s)!).ToList(),
            sentences.Select(s => TokenCasing.Encode(s)).ToList());
        for (int i = 0; i < sentences.Count; i++)
        {
            Assert.Equal(expected[i], byId[i]);
            Assert.Equal(expected[i].Select(t => BioTags[t]), byName[i]);
        }
        Assert.Empty(byName[3]);
    }

    [Fact]
    public void Tags_DifferFromTorchSharps_WhenOneCasingRowIsPerturbed()
    {
        var (model, info) = Tagger(crf: true, characters: true);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        OnnxExporter.Export(model, path, info);
        var sentences = Sentences();
        var before = TorchTags(model, info, sentences);
        using (no_grad()) model.named_parameters().First(p => p.name == "casing.weight").parameter[(int)TokenCasing.FirstUpper].mul_(-30);
        var after = TorchTags(model, info, sentences);
        Assert.NotEqual(before.SelectMany(t => t), after.SelectMany(t => t));

        using var tagger = OnnxSequenceTagger.Load(path);
        var onnx = tagger.Tag(sentences).SelectMany(t => t).ToArray();
        Assert.Equal(before.SelectMany(t => t).Select(t => BioTags[t]), onnx);
        Assert.NotEqual(after.SelectMany(t => t).Select(t => BioTags[t]), onnx);
    }

    [Fact]
    public void CasingInputs_AreCheckedAndStoredInTheMetadata()
    {
        var (model, info) = Tagger(crf: false, characters: false);
        using var _ = model;
        var path = Path.Combine(folder, "tagger.onnx");
        // The exporter takes the casing setting from the model, whatever the info says.
        OnnxExporter.Export(model, path, info.WithCasing(false));
        using var tagger = OnnxSequenceTagger.Load(path);
        Assert.True(tagger.Info.Casing);
        var ids = new[] { new long[] { 2, 3 } };
        Assert.Equal("casing", Assert.Throws<ArgumentException>(() => tagger.TagIds(ids)).ParamName);
        Assert.Contains("2 tokens but 1 casing ids", Assert.Throws<ArgumentException>(() => tagger.TagIds(ids, null, new[] { new long[] { 1 } })).Message);
        Assert.Contains("got 6", Assert.Throws<ArgumentOutOfRangeException>(() => tagger.TagIds(ids, null, new[] { new long[] { 1, 6 } })).Message);
        Assert.False(TaggerModelInfo.FromMetadata(info.WithCasing(false).ToMetadata()).Casing);
        Assert.DoesNotContain("rnnml.casing", info.WithCasing(false).ToMetadata().Keys);
        var bad = new Dictionary<string, string>(info.ToMetadata()) { ["rnnml.casing"] = "yes" };
        Assert.Contains("rnnml.casing", Assert.Throws<InvalidDataException>(() => TaggerModelInfo.FromMetadata(bad)).Message);
    }
}
