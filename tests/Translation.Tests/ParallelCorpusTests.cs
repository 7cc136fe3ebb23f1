namespace RnnMl.Samples.Translation.Tests;

public class ParallelCorpusTests
{
    [Fact]
    public void ReadTabSeparated_TakesTheFirstTwoFieldsAndSkipsBlankLines()
    {
        var text = "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272\n\nHi.\tSalut !\n";
        var pairs = ParallelCorpus.ReadTabSeparated(new StringReader(text), "fra.txt");
        Assert.Equal(new[] { ("Go.", "Va !"), ("Hi.", "Salut !") }, pairs);
    }

    [Fact]
    public void ReadTabSeparated_WithReverse_SwapsTheColumns()
    {
        var pairs = ParallelCorpus.ReadTabSeparated(new StringReader("I am a student.\t나는 학생이다.\n"), "kor.txt", reverse: true);
        Assert.Equal(("나는 학생이다.", "I am a student."), Assert.Single(pairs));
    }

    [Fact]
    public void ReadTabSeparated_ALineWithoutATab_IsReportedWithItsLineNumber()
    {
        var e = Assert.Throws<ParallelCorpusFormatException>(() =>
            ParallelCorpus.ReadTabSeparated(new StringReader("a\tb\n\nc d\n"), "pairs.tsv"));
        Assert.Contains("pairs.tsv:3:", e.Message);
        Assert.Contains("without a tab", e.Message);
    }

    [Fact]
    public void ReadTabSeparated_AnEmptyFile_IsRefused()
    {
        var e = Assert.Throws<ParallelCorpusFormatException>(() => ParallelCorpus.ReadTabSeparated(new StringReader("\n\n"), "empty.tsv"));
        Assert.Contains("no sentence pairs", e.Message);
    }

    [Fact]
    public void ReadAligned_PairsLineByLine()
    {
        var pairs = ParallelCorpus.ReadAligned(new StringReader("ein Hund\nzwei Katzen\n"), "train.de", new StringReader("a dog\ntwo cats\n"), "train.en");
        Assert.Equal(new[] { ("ein Hund", "a dog"), ("zwei Katzen", "two cats") }, pairs);
    }

    [Theory]
    [InlineData("a\nb\nc\n", "x\ny\n", "train.de has 3 lines, train.en has 2; line 3 of train.de has no partner in train.en")]
    [InlineData("a\n", "x\ny\nz\n", "train.de has 1 lines, train.en has 3; line 2 of train.en has no partner in train.de")]
    public void ReadAligned_MismatchedLineCounts_AreReportedWithLineNumbers(string source, string target, string expected)
    {
        var e = Assert.Throws<ParallelCorpusFormatException>(() =>
            ParallelCorpus.ReadAligned(new StringReader(source), "train.de", new StringReader(target), "train.en"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ReadAligned_WithSharedData_ReadsMulti30kWhenPresent()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "datasets", "multi30k");
        if (!File.Exists(Path.Combine(folder, "val.de")))
        {
            Console.WriteLine($"skipped: no Multi30k at {Path.GetFullPath(folder)}");
            return;
        }
        var pairs = ParallelCorpus.ReadAligned(Path.Combine(folder, "val.de"), Path.Combine(folder, "val.en"));
        Assert.Equal(1014, pairs.Count);
    }
}
