using System.Text;

namespace RnnMl.Text.Tests;

public class SubwordModelTests
{
    // Sennrich et al. (2016), figure 1: low ×5, lower ×2, newest ×6, widest ×3.
    private static readonly Dictionary<string, long> Classic = new() { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };

    [Fact]
    public void LearnFromWords_ClassicExample_GivesTheHandWorkedMerges()
    {
        // Alphabet: e 17, w 11, s 9, t</w> 9, l 7, o 7, n 6, w</w> 5, d 3, i 3, r</w> 2 (11 symbols).
        // (e,s) 9 ties (s,t</w>) 9 → "e" < "s"; then (es,t</w>) 9; (l,o) 7; (e,w), (n,e), (w,est</w>) tie at 6 → (e,w);
        // (ew,est</w>) 6 beats (n,ew) 6 as "ew" < "n"; (n,ewest</w>) 6; (lo,w</w>) 5; (d,est</w>), (i,d), (w,i) tie at 3 → (d,est</w>).
        var model = SubwordModel.LearnFromWords(Classic, vocabularySize: 19);
        Assert.Equal(new[] { "e", "w", "s", "t</w>", "l", "o", "n", "w</w>", "d", "i", "r</w>" }, model.Alphabet);
        Assert.Equal(new[] { ("e", "s"), ("es", "t</w>"), ("l", "o"), ("e", "w"), ("ew", "est</w>"), ("n", "ewest</w>"), ("lo", "w</w>"), ("d", "est</w>") },
            model.Merges);
        Assert.Equal(19, model.VocabularySize);
        Assert.Null(model.StopReason);
        Assert.Equal(new[] { "lo", "w", "e", "r</w>" }, model.Segment("lower"));
        Assert.Equal(new[] { "newest</w>" }, model.Segment("newest"));
        // Unseen: "lowest" = lo w est</w>; "slow" = s low</w>.
        Assert.Equal(new[] { "lo", "w", "est</w>" }, model.Segment("lowest"));
        Assert.Equal(new[] { "s", "low</w>" }, model.Segment("slow"));
    }

    [Fact]
    public void LearnFromWords_EqualsARecountEveryMergeLearner()
    {
        var counts = RandomWords(seed: 7, distinct: 300);
        var model = SubwordModel.LearnFromWords(counts, vocabularySize: 150, minPairCount: 1);
        Assert.Equal(BruteForceMerges(counts, model.Merges.Count), model.Merges);
        Assert.True(model.Merges.Count > 80, $"only {model.Merges.Count} merges");
    }

    [Fact]
    public void LearnFromWords_ReachesTheVocabularySizeExactly_OrSaysWhyNot()
    {
        var counts = RandomWords(seed: 3, distinct: 400);
        foreach (int size in new[] { 30, 77, 160 })
        {
            var model = SubwordModel.LearnFromWords(counts, size);
            Assert.Equal((size, (string?)null), (model.VocabularySize, model.StopReason));
            Assert.Equal(size + 2, model.ToVocabulary().Count);
            Assert.Equal(size + 4, model.ToVocabulary(["<s>", "</s>"]).Count);
        }
        var small = SubwordModel.LearnFromWords(Classic, vocabularySize: 1000);
        Assert.True(small.VocabularySize < 1000);
        Assert.Contains("fewer than 2 times", small.StopReason);
    }

    [Fact]
    public void LearnFromWords_AlphabetLargerThanTarget_KeepsTheMostFrequentCharacters()
    {
        var model = SubwordModel.LearnFromWords(Classic, vocabularySize: 3);
        Assert.Equal(new[] { "e", "w", "s" }, model.Tokens);
        Assert.Empty(model.Merges);
        var tokenizer = Tokenizer.Create(TokenizerKind.Subword, subwords: model);
        var encoder = new TextEncoder(tokenizer, model.ToVocabulary());
        Assert.Equal(new long[] { 1, 2, 1 }, encoder.Encode("new"));   // n and w</w> are unknown
        Assert.Equal("new", tokenizer.Detokenize(tokenizer.Tokenize("new")));
    }

    [Fact]
    public void Learn_IsDeterministic_WhateverTheOrderOfTheTexts()
    {
        var texts = RandomTexts(seed: 11, count: 500);
        var a = SubwordModel.Learn(texts, 120);
        var b = SubwordModel.Learn(Enumerable.Reverse(texts), 120);
        Assert.Equal(a.Merges, b.Merges);
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(a.ToJson(), b.ToJson());
    }

    [Fact]
    public void Detokenize_OfSubwords_IsExactOnTrainingAndUnseenText()
    {
        var texts = RandomTexts(seed: 5, count: 400);
        var words = Tokenizer.Create();
        var tokenizer = Tokenizer.Create(TokenizerKind.Subword, subwords: SubwordModel.Learn(texts, 100, words));
        var unseen = new[] { "Über-naïve, isn't it? (quite) 42%!", "나는 학생이다.", "zzz qqq 😀 x-y", "  spaced   out  ", "" };
        foreach (var text in texts.Concat(unseen))
        {
            var pieces = tokenizer.Tokenize(text);
            Assert.Equal(words.Detokenize(words.Tokenize(text)), tokenizer.Detokenize(pieces));
            Assert.Equal(words.Tokenize(text), SubwordModel.JoinWords(pieces));
        }
        Assert.True(tokenizer.Tokenize("lowest newer").Count > 2);
    }

    [Fact]
    public void Tokenize_UnknownCharacters_StayPiecesOfTheirOwnAndMapToUnknown()
    {
        var model = SubwordModel.LearnFromWords(Classic, 19);
        var tokenizer = Tokenizer.Create(TokenizerKind.Subword, subwords: model);
        Assert.Equal(new[] { "lo", "w", "é</w>", "😀</w>" }, tokenizer.Tokenize("LOWÉ😀"));
        var encoder = new TextEncoder(tokenizer, model.ToVocabulary());
        var ids = encoder.Encode("lowé newest");
        Assert.Equal(new[] { "lo", "w", "<unk>", "newest</w>" }, ids.Select(i => encoder.Vocabulary.TokenOf((int)i)));
        Assert.Equal("low <unk> newest", encoder.Decode(ids));
    }

    [Fact]
    public void Tokenize_IllFormedText_NeverThrowsAndMatchesTheWordTokenizer()
    {
        var model = SubwordModel.LearnFromWords(Classic, 19);
        var tokenizer = Tokenizer.Create(TokenizerKind.Subword, subwords: model);
        foreach (var text in new[] { "\uD800low", "lo\uDC00wer", "new\uFFFEest", "\uFDD0" })
        {
            Assert.Equal(Tokenizer.Create().Tokenize(text), SubwordModel.JoinWords(tokenizer.Tokenize(text)));
            Assert.Contains(tokenizer.Tokenize(text), p => p.Contains('\uFFFD'));
        }
        Assert.Empty(tokenizer.Tokenize(null));
        Assert.Equal(new[] { "lo", "w", "e", "r</w>" }, tokenizer.SplitToken("Lower"));
        Assert.Empty(tokenizer.SplitToken(""));
    }

    [Fact]
    public void SaveLoad_KeepsMergesAndSegmentation()
    {
        var texts = RandomTexts(seed: 2, count: 300);
        var model = SubwordModel.Learn(texts, 90);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = SubwordModel.Load(stream);
        Assert.Equal(model.Alphabet, loaded.Alphabet);
        Assert.Equal(model.Merges, loaded.Merges);
        Assert.Equal(model.Tokens, loaded.Tokens);
        foreach (var word in texts.SelectMany(Tokenizer.Create().Tokenize).Append("unseenword"))
            Assert.Equal(model.Segment(word), loaded.Segment(word));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"end_of_word\":\"</w>\",\"alphabet\":[\"a\"]}")]
    [InlineData("{\"end_of_word\":\"@@\",\"alphabet\":[\"a\"],\"merges\":[]}")]
    [InlineData("{\"end_of_word\":\"</w>\",\"alphabet\":[\"a\",\"a\"],\"merges\":[]}")]
    [InlineData("{\"end_of_word\":\"</w>\",\"alphabet\":[\"a\"],\"merges\":[[\"a\"]]}")]
    [InlineData("{\"end_of_word\":\"</w>\",\"alphabet\":[\"a\"],\"merges\":[[\"a\",\"\"]]}")]
    public void FromJson_Invalid_ThrowsInvalidData(string json)
        => Assert.Throws<InvalidDataException>(() => SubwordModel.FromJson(json));

    [Fact]
    public void Create_And_Learn_RefuseBadArguments()
    {
        var model = SubwordModel.LearnFromWords(Classic, 12);
        Assert.Equal("subwords", Assert.Throws<ArgumentException>(() => Tokenizer.Create(TokenizerKind.Subword)).ParamName);
        Assert.Equal("subwords", Assert.Throws<ArgumentException>(() => Tokenizer.Create(TokenizerKind.Word, subwords: model)).ParamName);
        Assert.Equal("vocabularySize", Assert.Throws<ArgumentOutOfRangeException>(() => SubwordModel.LearnFromWords(Classic, 0)).ParamName);
        Assert.Equal("minPairCount", Assert.Throws<ArgumentOutOfRangeException>(() => SubwordModel.LearnFromWords(Classic, 5, 0)).ParamName);
        Assert.Equal("wordTokenizer", Assert.Throws<ArgumentException>(() => SubwordModel.Learn(["a"], 5, Tokenizer.Create(TokenizerKind.Character))).ParamName);
    }

    [Fact]
    public void TextStream_OfSubwords_WritesTheWordsOfTheWordStream()
    {
        var lines = RandomTexts(seed: 9, count: 200);
        var words = TextStream.Build(lines, Tokenizer.Create());
        var model = SubwordModel.Learn(lines, 60);
        var subwords = TextStream.Create(Tokenizer.Create(TokenizerKind.Subword, subwords: model), model.ToVocabulary([TextStream.LineBreakToken]));
        Assert.Equal(words.Decode(words.EncodeStream(lines)), subwords.Decode(subwords.EncodeStream(lines)));
    }

    internal static List<string> RandomTexts(int seed, int count)
    {
        var random = new Random(seed);
        string[] stems = ["low", "new", "wid", "play", "walk", "talk", "read", "un", "re", "quick"];
        string[] ends = ["", "er", "est", "ing", "ed", "s", "ly", "able"];
        return Enumerable.Range(0, count).Select(_ =>
        {
            var text = new StringBuilder();
            for (int i = random.Next(1, 9); i > 0; i--)
                text.Append(stems[random.Next(stems.Length)]).Append(ends[random.Next(ends.Length)]).Append(random.Next(6) == 0 ? ", " : " ");
            return text.Append(random.Next(3) == 0 ? "!" : ".").ToString();
        }).ToList();
    }

    private static Dictionary<string, long> RandomWords(int seed, int distinct)
    {
        var random = new Random(seed);
        var counts = new Dictionary<string, long>();
        while (counts.Count < distinct)
        {
            var word = new string(Enumerable.Range(0, random.Next(1, 9)).Select(_ => "abcdeenorst"[random.Next(11)]).ToArray());
            counts[word] = counts.GetValueOrDefault(word) + random.Next(1, 20);
        }
        return counts;
    }

    /// <summary>The textbook learner: recount every pair before each merge; ties to the ordinal-first pair.</summary>
    private static List<(string, string)> BruteForceMerges(Dictionary<string, long> counts, int merges)
    {
        var words = counts.Select(kv => (Symbols: SymbolsOf(kv.Key), Count: kv.Value)).ToList();
        var result = new List<(string, string)>();
        for (int m = 0; m < merges; m++)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1, StringComparer.Ordinal).ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First().Key;
            result.Add(best);
            foreach (var (symbols, _) in words)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == best.Item1 && symbols[i + 1] == best.Item2) { symbols[i] += symbols[i + 1]; symbols.RemoveAt(i + 1); }
        }
        return result;
    }

    private static List<string> SymbolsOf(string word)
    {
        var symbols = word.Select(c => c.ToString()).ToList();
        symbols[^1] += SubwordModel.EndOfWordMarker;
        return symbols;
    }
}
