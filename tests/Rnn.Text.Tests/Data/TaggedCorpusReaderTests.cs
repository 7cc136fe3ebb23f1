using System.Text.RegularExpressions;
using RnnMl.Text.Data;
using RnnMl.Samples.Sentiment.Tests;

namespace RnnMl.Text.Tests.Data;

/// <summary><see cref="ConllColumnReader"/> and <see cref="ConlluReader"/> on small files written here, bad lines, and UD LinES.</summary>
public sealed class TaggedCorpusReaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("rnnml-tagging-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Conll2003 =
        "-DOCSTART- -X- -X- O\n\n" +
        "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n\n" +
        "Peter\tNNP\tB-NP\tB-PER\r\nBlackburn NNP  I-NP I-PER  \n" +
        "-DOCSTART- -X- -X- O\n" +
        "BRUSSELS NNP B-NP B-LOC\n";

    [Fact]
    public void Conll_ReadsSentencesSkipsDocStartAndTakesTheLastColumnByDefault()
    {
        var sentences = ConllColumnReader.ReadFile(Write("a.conll", Conll2003));
        Assert.Equal(3, sentences.Count);
        Assert.Equal(new[] { "EU", "rejects", "German" }, sentences[0].Tokens);
        Assert.Equal(new[] { "B-ORG", "O", "B-MISC" }, sentences[0].Tags);
        Assert.Equal(3, sentences[0].Line);
        Assert.Equal(new[] { "Peter", "Blackburn" }, sentences[1].Tokens);
        Assert.Equal(new[] { "B-PER", "I-PER" }, sentences[1].Tags);
        Assert.Equal(8, sentences[1].Line);
        Assert.Equal(new[] { "BRUSSELS" }, sentences[2].Tokens);

        var chunks = ConllColumnReader.ReadFile(Write("b.conll", Conll2003), tagColumn: 2);
        Assert.Equal(new[] { "B-NP", "B-VP", "B-NP" }, chunks[0].Tags);
    }

    [Fact]
    public void Conll_BadLines_NameTheFileTheLineAndBothCounts()
    {
        var path = Write("bad.conll", "EU NNP B-NP B-ORG\nrejects VBZ O\n");
        var ex = Assert.Throws<InvalidDataException>(() => ConllColumnReader.ReadFile(path));
        Assert.Contains($"{path}:2:", ex.Message);
        Assert.Contains("expected 4 columns", ex.Message);
        Assert.Contains("got 3", ex.Message);

        var narrow = Write("narrow.conll", "\nEU NNP\n");
        var few = Assert.Throws<InvalidDataException>(() => ConllColumnReader.ReadFile(narrow, tagColumn: 7));
        Assert.Contains($"{narrow}:2:", few.Message);
        Assert.Contains("at least 8 columns", few.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ConllColumnReader.ReadFile(narrow, tagColumn: -7));
    }

    private const string Conllu =
        "# newdoc id = d1\n# sent_id = 1\n# text = I don't know.\n" +
        "1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_\n" +
        "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n" +
        "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n" +
        "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n" +
        "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\t_\n" +
        "4.1\tsaid\tsay\tVERB\tVBD\t_\t_\t_\t0:root\t_\n" +
        "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n" +
        "\n" +
        "# sent_id = 2\n" +
        "1\tYes\tyes\tINTJ\t_\t_\t0\troot\t_\t_\n";

    [Fact]
    public void Conllu_SkipsCommentsMultiWordTokensAndEmptyNodes_ReadsTheChosenColumn()
    {
        var path = Write("a.conllu", Conllu);
        var upos = ConlluReader.ReadFile(path);
        Assert.Equal(2, upos.Count);
        Assert.Equal(new[] { "I", "do", "n't", "know", "." }, upos[0].Tokens);
        Assert.Equal(new[] { "PRON", "AUX", "PART", "VERB", "PUNCT" }, upos[0].Tags);
        Assert.Equal(4, upos[0].Line);
        Assert.Equal(new[] { "Yes" }, upos[1].Tokens);
        var xpos = ConlluReader.ReadFile(path, ConlluTagColumn.Xpos);
        Assert.Equal(new[] { "PRP", "VBP", "RB", "VB", "." }, xpos[0].Tags);
        Assert.Equal(new[] { "_" }, xpos[1].Tags);
    }

    [Theory]
    [InlineData("1\tI\tI\tPRON\tPRP\t_\t0\troot\t_\n", 1, "10 tab-separated fields, got 9")]
    [InlineData("1\tI\tI\tPRON\tPRP\t_\t0\troot\t_\t_\n7\tx\tx\tX\tX\t_\t1\tdep\t_\t_\n", 2, "expected word ID 2, got 7")]
    [InlineData("# c\nx\tI\tI\tPRON\tPRP\t_\t0\troot\t_\t_\n", 2, "positive integer, got 'x'")]
    [InlineData("7-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n", 1, "got '7-3'")]
    public void Conllu_BadLines_NameTheFileAndTheLine(string text, int line, string what)
    {
        var path = Write("bad.conllu", text);
        var ex = Assert.Throws<InvalidDataException>(() => ConlluReader.ReadFile(path));
        Assert.Contains($"{path}:{line}:", ex.Message);
        Assert.Contains(what, ex.Message);
    }

    private const string LinesDev = "datasets/ud_english_lines/en_lines-ud-dev.conllu";

    [SharedDataFact(LinesDev)]
    public void Conllu_UdEnglishLinesDev_Has1118SentencesAndOneTokenPerWordLine()
    {
        var path = SharedData.File(LinesDev)!;
        var sentences = ConlluReader.ReadFile(path);
        Assert.Equal(1118, sentences.Count);
        // Independent count: lines whose ID is a plain integer are the words.
        int words = File.ReadLines(path).Count(l => Regex.IsMatch(l, @"^\d+\t"));
        Assert.Equal(words, sentences.Sum(s => s.Tokens.Count));
        Assert.All(sentences, s => Assert.Equal(s.Tokens.Count, s.Tags.Count));
        var upos = sentences.SelectMany(s => s.Tags).ToHashSet();
        Assert.Contains("NOUN", upos);
        Assert.True(upos.Count <= 17, $"{upos.Count} UPOS tags: {string.Join(", ", upos)}");
    }
}
