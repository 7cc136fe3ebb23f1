using RnnMl.MLNet.Classification;
using RnnMl.Text;

namespace RnnMl.Samples.Sentiment.Tests;

/// <summary>The sample's <c>--tokenizer word|char|bpe --vocab-size N</c> options.</summary>
public sealed class TokenizerOptionTests
{
    private static RecurrentTextClassifierOptions Options(params string[] args) => CommandLine.Parse(args).Train!.Options();

    [Fact]
    public void Bpe_WithVocabSize_SetsSubwordTokensOfThatSize()
    {
        var o = Options("--data", "reviews.tsv", "--tokenizer", "bpe", "--vocab-size", "500");
        Assert.Equal((TokenizerKind.Subword, 500), (o.Tokenizer, o.SubwordVocabularySize));
        Assert.Equal(new RecurrentTextClassifierOptions().SubwordVocabularySize, Options("--tokenizer", "bpe").SubwordVocabularySize);
        Assert.Equal(TokenizerKind.Character, Options("--tokenizer", "char").Tokenizer);
    }

    [Theory]
    [InlineData("--tokenizer", "wordpiece")]
    [InlineData("--vocab-size", "0")]
    public void BadValues_AreRefused(string name, string value)
        => Assert.Contains(name, Assert.Throws<CommandLineException>(() => CommandLine.Parse([name, value])).Message);
}
