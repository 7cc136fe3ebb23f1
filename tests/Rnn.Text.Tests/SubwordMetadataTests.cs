using RnnMl.Text.Export;

namespace RnnMl.Text.Tests;

/// <summary>Subword tokenizers in the exported models' metadata: written, read back identical, and refused when broken.</summary>
public class SubwordMetadataTests
{
    private static readonly List<string> Texts = SubwordModelTests.RandomTexts(seed: 4, count: 300);
    private static readonly SubwordModel Model = SubwordModel.Learn(Texts, 70);
    private static readonly Tokenizer Subwords = Tokenizer.Create(TokenizerKind.Subword, subwords: Model);
    private static readonly string[] Unseen = ["Quickest re-reading, unreadable!", "zzz 😀 talk", ""];

    [Fact]
    public void TextModelInfo_WithSubwords_RoundTripsAndEncodesIdentically()
    {
        var info = new TextModelInfo(Subwords, Model.ToVocabulary(), ["neg", "pos"], maxSequenceLength: 50);
        var metadata = info.ToMetadata();
        Assert.Equal("Subword", metadata["rnnml.tokenizer"]);
        Assert.Equal(Model.ToJson(), metadata["rnnml.subwords"]);
        var read = TextModelInfo.FromMetadata(metadata);
        Assert.Equal(TokenizerKind.Subword, read.Tokenizer.Kind);
        foreach (var text in Texts.Take(50).Concat(Unseen))
            Assert.Equal(info.Encode(text), read.Encode(text));
    }

    [Fact]
    public void TranslationModelInfo_SeparateSubwordSides_RoundTripAndDetokeniseExactly()
    {
        var target = SubwordModel.Learn(Texts.Select(t => t.ToUpperInvariant()), 50, Tokenizer.Create(lowerCase: false));
        var targetTokenizer = Tokenizer.Create(TokenizerKind.Subword, lowerCase: false, subwords: target);
        var info = new TranslationModelInfo(Subwords, Model.ToVocabulary(), targetTokenizer, target.ToVocabulary(["<s>", "</s>"]));
        var read = TranslationModelInfo.FromMetadata(info.ToMetadata());
        Assert.Equal(target.Merges, read.TargetTokenizer.Subwords!.Merges);
        Assert.Equal(Model.Merges, read.SourceTokenizer.Subwords!.Merges);
        foreach (var text in Texts.Take(50).Select(t => t.ToUpperInvariant()))
        {
            var ids = read.TargetEncoder.Encode(text);
            Assert.Equal(Tokenizer.Create(lowerCase: false).Detokenize(Tokenizer.Create(lowerCase: false).Tokenize(text)), read.DecodeTarget(ids));
        }
    }

    [Fact]
    public void Metadata_WithoutSubwordEntries_IsAWordModelAsBefore()
    {
        var metadata = new TextModelInfo(Tokenizer.Create(), Vocabulary.Build([["a", "b"]])).ToMetadata();
        Assert.DoesNotContain("rnnml.subwords", metadata.Keys);
        Assert.Equal(TokenizerKind.Word, TextModelInfo.FromMetadata(metadata).Tokenizer.Kind);
    }

    [Fact]
    public void Metadata_SubwordKindWithMissingOrBrokenMerges_ThrowsNamingTheEntry()
    {
        var metadata = new Dictionary<string, string>(new TextModelInfo(Subwords, Model.ToVocabulary()).ToMetadata());
        metadata["rnnml.subwords"] = "{\"end_of_word\":\"</w>\",\"alphabet\":[\"a\"],\"merges\":[[\"a\"]]}";
        Assert.Contains("'rnnml.subwords'", Assert.Throws<InvalidDataException>(() => TextModelInfo.FromMetadata(metadata)).Message);
        metadata.Remove("rnnml.subwords");
        Assert.Contains("'rnnml.subwords'", Assert.Throws<InvalidDataException>(() => TextModelInfo.FromMetadata(metadata)).Message);
    }
}
