using RnnMl.Samples.Sentiment;
using RnnMl.Text;

namespace RnnMl.Samples.Translation.Tests;

/// <summary>The sample's <c>--tokenizer word|char|bpe --vocab-size N --joint-vocab</c> options.</summary>
public sealed class CommandLineTokenizerTests
{
    [Fact]
    public void Bpe_SetsBothSidesTheSizeAndTheJointVocabulary()
    {
        var train = CommandLine.Parse(["--source", "train.de", "--target", "train.en", "--tokenizer", "bpe", "--vocab-size", "4000", "--joint-vocab"]).Train!;
        Assert.Equal((TokenizerKind.Subword, TokenizerKind.Subword, 4000, true),
            (train.SourceTokenizer, train.TargetTokenizer, train.SubwordVocabularySize, train.JointSubwordVocabulary));
        var mixed = CommandLine.Parse(["--source-tokenizer", "word", "--target-tokenizer", "bpe"]).Train!;
        Assert.Equal((TokenizerKind.Word, TokenizerKind.Subword, false), (mixed.SourceTokenizer, mixed.TargetTokenizer, mixed.JointSubwordVocabulary));
    }

    [Fact]
    public void UnknownTokenizer_IsRefusedNamingTheChoices()
        => Assert.Contains("word, char or bpe", Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--tokenizer", "spm"])).Message);
}
