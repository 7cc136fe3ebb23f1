namespace RnnMl.Samples.Sentiment.Tests;

public class LabeledTextFileTests
{
    private static LabeledTextFile ReadTsv(string text, string? textColumn = null, string? labelColumn = null)
        => LabeledTextFile.Read(new StringReader(text), '\t', textColumn, labelColumn, "data.tsv");

    [Fact]
    public void Read_LabelFirstWithHeaderAndCrlf_TakesTheHeaderAndBothColumns()
    {
        var file = ReadTsv("label\tsentence\r\n0\ta dull film\r\n1\ta fine film\r\n");

        Assert.Equal(new[] { "label", "sentence" }, file.Header);
        Assert.Equal(1, file.TextColumn);
        Assert.Equal(0, file.LabelColumn);
        Assert.Equal(new[] { ("a dull film", false), ("a fine film", true) }, file.Rows.Select(r => (r.Text, r.Label)));
    }

    [Fact]
    public void Read_TextThenLabelWithoutHeader_ReadsEveryLineAsARow()
    {
        var file = ReadTsv("So \"good\" here.\t1\nNot good.\t0\n");

        Assert.Null(file.Header);
        Assert.Equal(new[] { ("So \"good\" here.", true), ("Not good.", false) }, file.Rows.Select(r => (r.Text, r.Label)));
    }

    [Fact]
    public void Read_IdTextLabelCsvWithQuotes_FindsTheTextAndLabelColumns()
    {
        var file = LabeledTextFile.Read(new StringReader("id,text,label\n7,\"good, really\",positive\n8,bad,negative\n"), ',', source: "data.csv");

        Assert.Equal(new[] { ("good, really", true), ("bad", false) }, file.Rows.Select(r => (r.Text, r.Label)));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData(" TRUE ", true)]
    [InlineData("neg", false)]
    [InlineData("Positive", true)]
    public void TryParseLabel_AcceptsTheDocumentedSpellings(string value, bool expected)
    {
        Assert.True(LabeledTextFile.TryParseLabel(value, out bool label));
        Assert.Equal(expected, label);
    }

    [Fact]
    public void Read_UnparsableLabel_NamesTheLineAndTheLabel()
    {
        var error = Assert.Throws<LabeledTextFormatException>(() => ReadTsv("1\tgood\n0\tbad\nmaybe\tmeh\n"));

        Assert.Equal(3, error.LineNumber);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("'maybe'", error.Message);
    }

    [Fact]
    public void Read_LineWithTooFewFields_NamesTheLineAndBothCounts()
    {
        var error = Assert.Throws<LabeledTextFormatException>(() => ReadTsv("1\tgood\n0\tbad\njust text\n"));

        Assert.Equal(3, error.LineNumber);
        Assert.Contains("2", error.Problem);
        Assert.Contains("got 1", error.Problem);
    }

    [Fact]
    public void Read_EmptyInput_SaysTheFileIsEmpty()
    {
        var error = Assert.Throws<LabeledTextFormatException>(() => ReadTsv(""));

        Assert.Null(error.LineNumber);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void Read_NamedColumnMissingFromHeader_ListsTheHeaderColumns()
    {
        var error = Assert.Throws<LabeledTextFormatException>(() => ReadTsv("label\tsentence\n1\tgood\n0\tbad\n", labelColumn: "polarity"));

        Assert.Contains("polarity", error.Message);
        Assert.Contains("'sentence'", error.Message);
    }

    [Fact]
    public void Read_OneClassOnly_IsRefusedWithTheCount()
    {
        var error = Assert.Throws<LabeledTextFormatException>(() => ReadTsv("1\tgood\n1\tfine\n1\tgreat\n"));

        Assert.Contains("only one class", error.Message);
        Assert.Contains("3", error.Message);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-missing-{Guid.NewGuid():N}.tsv");

        var error = Assert.Throws<FileNotFoundException>(() => LabeledTextFile.Read(path));

        Assert.Contains(path, error.Message);
    }

    [SharedDataFact("datasets/uci_sentiment/yelp_labelled.txt")]
    public void Read_UciSentimentFile_ReadsAThousandBalancedRowsWithoutHeader()
    {
        var file = LabeledTextFile.Read(SharedData.File("datasets/uci_sentiment/yelp_labelled.txt")!);

        Assert.Equal(1000, file.Rows.Count);
        Assert.Equal(500, file.PositiveCount);
        Assert.Null(file.Header);
    }

    [SharedDataFact("datasets/sst2/dev.tsv")]
    public void Read_Sst2Dev_TakesTheLabelFirstHeaderAndAllSentences()
    {
        var file = LabeledTextFile.Read(SharedData.File("datasets/sst2/dev.tsv")!);

        Assert.Equal(new[] { "label", "content" }, file.Header);
        Assert.Equal(872, file.Rows.Count);
    }
}
