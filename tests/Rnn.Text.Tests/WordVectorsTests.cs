using System.Text;

namespace RnnMl.Text.Tests;

/// <summary>Reading word2vec/GloVe/fastText files into vocabulary rows; each test writes its own small file.</summary>
public sealed class WordVectorsTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"rnnml-vectors-{Guid.NewGuid():N}");

    public WordVectorsTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // ids: <pad> 0, <unk> 1, good 2, film 3, bad 4, café 5
    private static readonly Vocabulary Vocab = Vocabulary.FromTokens(new[] { "<pad>", "<unk>", "good", "film", "bad", "café" });

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void Text_GloVeWithoutHeader_KeepsOnlyVocabularyWords()
    {
        var path = Write("glove.txt", "the 0.1 0.2 0.3\ngood 1 2 3\nfilm -1.5 0 2.5e-1\nzebra 9 9 9\n");

        var v = WordVectors.Load(path, Vocab, Tokenizer.Create());

        Assert.Equal(3, v.Dimension);
        Assert.Equal(4, v.Entries);
        Assert.Equal(new[] { 2, 3 }, v.Rows.Keys.OrderBy(k => k));
        Assert.Equal(new[] { 1f, 2f, 3f }, v.Rows[2]);
        Assert.Equal(new[] { -1.5f, 0f, 0.25f }, v.Rows[3]);
    }

    [Fact]
    public void Text_Word2VecHeader_IsSkippedAndSetsTheDimension()
    {
        var path = Write("w2v.vec", "2 2\nbad 0.5 -0.5\ngood 1 1\n");

        var v = WordVectors.Load(path, Vocab);

        Assert.Equal(2, v.Dimension);
        Assert.Equal(new[] { 0.5f, -0.5f }, v.Rows[4]);
        Assert.Equal(new[] { 1f, 1f }, v.Rows[2]);
    }

    [Fact]
    public void CaseRule_LowerCasingTokenizer_MatchesCapitalisedWords_PreferringTheExactForm()
    {
        // "Good" comes first, "good" later: the exact form wins. "FILM" is the only form of film: it is used.
        var path = Write("cased.txt", "Good 9 9\nFILM 3 4\ngood 1 2\nGOOD 7 7\n");

        var lower = WordVectors.Load(path, Vocab, Tokenizer.Create(lowerCase: true));
        var cased = WordVectors.Load(path, Vocab, Tokenizer.Create(lowerCase: false));

        Assert.Equal(new[] { 1f, 2f }, lower.Rows[2]);
        Assert.Equal(new[] { 3f, 4f }, lower.Rows[3]);
        Assert.Equal(new[] { 1f, 2f }, cased.Rows[2]);
        Assert.False(cased.Rows.ContainsKey(3), "a case-keeping tokenizer must not match FILM to film");
    }

    [Fact]
    public void Normalisation_DecomposedFileWord_MatchesTheComposedToken()
    {
        var path = Write("nfd.txt", "cafe\u0301 1 2\n");

        var v = WordVectors.Load(path, Vocab, Tokenizer.Create());

        Assert.Equal(new[] { 1f, 2f }, v.Rows[5]);
    }

    [Fact]
    public void SpecialTokens_AreNeverMatched()
    {
        var path = Write("special.txt", "<pad> 1 1\n<unk> 2 2\ngood 3 3\n");

        var v = WordVectors.Load(path, Vocab);

        Assert.Equal(new[] { 2 }, v.Rows.Keys);
    }

    [Fact]
    public void Binary_Word2Vec_IsReadWithItsFloats()
    {
        var path = Path.Combine(folder, "vectors.bin");
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write(Encoding.ASCII.GetBytes("3 2\n"));
            foreach (var (word, a, b) in new[] { ("zebra", 5f, 6f), ("film", 0.25f, -2f), ("café", 1.5f, 3f) })
            {
                w.Write(Encoding.UTF8.GetBytes(word + " "));
                w.Write(a);
                w.Write(b);
                w.Write((byte)'\n');
            }
        }

        var v = WordVectors.Load(path, Vocab, Tokenizer.Create());

        Assert.Equal(2, v.Dimension);
        Assert.Equal(3, v.Entries);
        Assert.Equal(new[] { 0.25f, -2f }, v.Rows[3]);
        Assert.Equal(new[] { 1.5f, 3f }, v.Rows[5]);
    }

    [Fact]
    public void Binary_Truncated_NamesFileAndEntry()
    {
        var path = Path.Combine(folder, "cut.bin");
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write(Encoding.ASCII.GetBytes("2 3\n"));
            w.Write(Encoding.UTF8.GetBytes("good "));
            w.Write(1f); w.Write(2f); w.Write(3f);
            w.Write(Encoding.UTF8.GetBytes("film "));
            w.Write(1f);
        }

        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path, Vocab));

        Assert.Contains(path, e.Message);
        Assert.Contains("entry 2", e.Message);
        Assert.Contains("'film'", e.Message);
    }

    [Fact]
    public void DimensionMismatch_WithTheEmbeddingSize_NamesFileLineAndBothSizes()
    {
        var path = Write("small.txt", "good 1 2 3\n");

        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path, Vocab, expectedDimension: 7));

        Assert.Contains(path, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("3 values", e.Message);
        Assert.Contains("embedding size is 7", e.Message);
    }

    [Fact]
    public void RaggedLine_NamesFileAndLine()
    {
        var path = Write("ragged.txt", "good 1 2 3\nfilm 1 2\n");

        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path, Vocab));

        Assert.Contains(path, e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains("expected 3", e.Message);
    }

    [Fact]
    public void NotANumber_NamesFileLineAndValue()
    {
        var path = Write("nan.txt", "good 1 2 3\nfilm 1 x 3\n");

        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path, Vocab));

        Assert.Contains("line 2", e.Message);
        Assert.Contains("value 2", e.Message);
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void BinaryFileReadAsText_SaysItIsNotUtf8()
    {
        var path = Path.Combine(folder, "binary.txt");
        File.WriteAllBytes(path, new byte[] { (byte)'g', (byte)' ', 0xFF, 0xFE, 0x80, 0x81, (byte)'\n' });

        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path, Vocab));

        Assert.Contains(path, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void MissingFile_NamesIt()
    {
        var path = Path.Combine(folder, "absent.vec");

        var e = Assert.Throws<FileNotFoundException>(() => WordVectors.Load(path, Vocab));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void EmptyFile_SaysItHoldsNoVectors()
    {
        var path = Write("empty.txt", "");

        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path, Vocab));

        Assert.Contains("no vectors", e.Message);
    }
}
