using Microsoft.ML.Tokenizers;

namespace RnnMl.Text.Tests;

/// <summary>SubwordModel applies merges as Microsoft.ML.Tokenizers' BpeTokenizer does (same vocabulary, merges and
/// end-of-word suffix), on every word whose characters it knows; it differs, by design, on unknown characters.</summary>
public class SubwordBpeTokenizerParityTests
{
    private static BpeTokenizer Reference(SubwordModel model) => BpeTokenizer.Create(new BpeOptions(model.Tokens.Select((t, i) => new KeyValuePair<string, int>(t, i)))
    {
        Merges = model.Merges.Select(m => m.Left + " " + m.Right),
        EndOfWordSuffix = SubwordModel.EndOfWordMarker,
    });

    [Fact]
    public void Segment_EqualsBpeTokenizer_OnTrainingAndUnseenWords()
    {
        var texts = SubwordModelTests.RandomTexts(seed: 21, count: 600);
        var model = SubwordModel.Learn(texts, 120);
        var reference = Reference(model);
        var words = texts.SelectMany(Tokenizer.Create().Tokenize).Where(w => w.All(char.IsAsciiLetterLower))
            .Concat(["lowest", "unreadably", "talkers", "quickly", "replaying", "ee", "a"]).Distinct()
            .Where(w => w[..^1].All(c => model.Tokens.Contains(c.ToString())) && model.Tokens.Contains(w[^1] + SubwordModel.EndOfWordMarker)).ToList();   // "a</w>" is not a symbol: see below
        Assert.True(words.Count > 60, $"{words.Count} words");
        foreach (var word in words)
            Assert.Equal(reference.EncodeToTokens(word, out _).Select(t => t.Value), model.Segment(word));
    }

    [Fact]
    public void UnknownCharacter_BpeTokenizerDropsIt_SubwordModelKeepsIt()
    {
        var model = SubwordModel.Learn(SubwordModelTests.RandomTexts(seed: 21, count: 600), 120);
        Assert.DoesNotContain(model.Tokens, t => t.Contains('z'));
        Assert.Equal("quick", string.Concat(Reference(model).EncodeToTokens("quickz", out _).Select(t => t.Value.Replace(SubwordModel.EndOfWordMarker, ""))));
        Assert.Equal("quickz", string.Concat(model.Segment("quickz")).Replace(SubwordModel.EndOfWordMarker, ""));
    }
}
