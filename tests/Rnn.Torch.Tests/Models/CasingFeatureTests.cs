using RnnMl.Text;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="TokenCasing"/> and the casing feature of <see cref="SequenceTagger"/> (<see cref="SequenceTaggerOptions.CasingEmbeddingSize"/>).</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class CasingFeatureTests : OneTorchThread
{
    private static SequenceTaggerOptions Options(int casing = 3) => new()
    {
        VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5, Dropout = 0, CasingEmbeddingSize = casing,
    };

    [Theory]
    [InlineData("paris", TokenCasing.AllLower)]
    [InlineData("don't", TokenCasing.AllLower)]
    [InlineData("e.g.", TokenCasing.AllLower)]
    [InlineData("Paris", TokenCasing.FirstUpper)]
    [InlineData("I", TokenCasing.FirstUpper)]
    [InlineData("Émile", TokenCasing.FirstUpper)]
    [InlineData("USA", TokenCasing.AllUpper)]
    [InlineData("U.S.", TokenCasing.AllUpper)]
    [InlineData("ÉTÉ", TokenCasing.AllUpper)]
    [InlineData("1990", TokenCasing.HasDigit)]
    [InlineData("B52", TokenCasing.HasDigit)]
    [InlineData("3rd", TokenCasing.HasDigit)]
    [InlineData(",", TokenCasing.Other)]
    [InlineData("", TokenCasing.Other)]
    [InlineData("iPhone", TokenCasing.Other)]
    [InlineData("McDonald", TokenCasing.Other)]
    [InlineData("-LRB-", TokenCasing.AllUpper)]
    public void Of_GivesTheHandComputedClass(string token, long expected) => Assert.Equal(expected, TokenCasing.Of(token));

    [Fact]
    public void Encode_GivesOneIdPerToken_AndNamesANullToken()
    {
        Assert.Equal(new[] { TokenCasing.FirstUpper, TokenCasing.AllLower, TokenCasing.HasDigit, TokenCasing.Other }, TokenCasing.Encode(new[] { "Maria", "flew", "2", "." }));
        Assert.Empty(TokenCasing.Encode(Array.Empty<string>()));
        Assert.Contains("token 1", Assert.Throws<ArgumentException>(() => TokenCasing.Encode(new[] { "a", null! })).Message);
    }

    [Fact]
    public void Forward_AppendsTheCasingEmbeddingAfterTheWordEmbedding()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = SequenceTagger.Create(Options());
        model.eval();
        Assert.Equal(4 + 3, model.Options.TokenFeatureSize);
        var (tokens, lengths) = TokenBatch.Pad(new[] { new long[] { 2, 3, 4 }, new long[] { 5 } });
        var casing = TokenBatch.Pad(new[] { new[] { TokenCasing.FirstUpper, TokenCasing.AllLower, TokenCasing.Other }, new[] { TokenCasing.AllUpper } }).Tokens;
        var emissions = model.forward(tokens, lengths, casing: casing);
        // The same model by hand: [E[w]; E_case[c]] → the encoder → the output layer.
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var x = cat(new[] { p["embedding.weight"].index_select(0, tokens.flatten()).view(2, 3, 4), p["casing.weight"].index_select(0, casing.flatten()).view(2, 3, 3) }, 2);
        var (encoded, _) = model.Encoder.forward(x, lengths: lengths);
        var expected = encoded.matmul(p["output.weight"].t()) + p["output.bias"];
        Assert.True(allclose(expected[0], emissions[0], 1e-5, 1e-6));
        Assert.True(allclose(expected[1, ..1], emissions[1, ..1], 1e-5, 1e-6));
        Assert.Equal(0f, p["casing.weight"][0].abs().sum().item<float>());   // the padding row
        Assert.False(allclose(emissions, model.forward(tokens, lengths, casing: casing.masked_fill(casing.eq(TokenCasing.FirstUpper), TokenCasing.AllUpper)), 1e-4, 1e-5),
            "another casing id must change the emissions");
    }

    [Fact]
    public void ATaggerWithCasing_LearnsTagsThatOnlyTheCaseTells_WhereLowerCasedWordsCannot()
    {
        // The tag is the casing of the word (lower → 0, Title → 1, UPPER → 2); word ids are of the lower-cased form.
        var random = new Random(5);
        string[] stems = Enumerable.Range(0, 30).Select(i => new string(Enumerable.Range(0, 4).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        (string[] Words, long[] Tags) Sentence()
        {
            int n = random.Next(2, 7);
            var tags = Enumerable.Range(0, n).Select(_ => (long)random.Next(3)).ToArray();
            return (tags.Select(t => { var w = stems[random.Next(stems.Length)]; return t == 0 ? w : t == 1 ? char.ToUpperInvariant(w[0]) + w[1..] : w.ToUpperInvariant(); }).ToArray(), tags);
        }
        var train = Enumerable.Range(0, 300).Select(_ => Sentence()).ToList();
        var test = Enumerable.Range(0, 60).Select(_ => Sentence()).ToList();
        var words = Vocabulary.Build(train.Select(s => s.Words.Select(w => w.ToLowerInvariant())));
        double Accuracy(bool casing)
        {
            manual_seed(11);
            using var model = SequenceTagger.Create(new SequenceTaggerOptions
            {
                VocabularySize = words.Count, TagCount = 3, EmbeddingSize = 8, HiddenSize = 8, Dropout = 0, CasingEmbeddingSize = casing ? 4 : 0,
            });
            List<long[]> Ids(IEnumerable<(string[] Words, long[] Tags)> s) => s.Select(x => words.Encode(x.Words.Select(w => w.ToLowerInvariant()))).ToList();
            List<long[]>? Casing(IEnumerable<(string[] Words, long[] Tags)> s) => casing ? s.Select(x => TokenCasing.Encode(x.Words)).ToList() : null;
            var task = new SequenceTaggerTrainingTask(model, Ids(train), train.Select(s => s.Tags).ToList(), Array.Empty<long[]>(), Array.Empty<long[]>(), batchSize: 16,
                trainCasing: Casing(train), validCasing: casing ? Array.Empty<long[]>() : null);
            Trainer.Create(new TrainerOptions { Epochs = 4, LearningRate = 0.02, Seed = 1 }).Fit(task);
            var predicted = model.Tag(Ids(test), casing: Casing(test));
            return test.Select((s, i) => s.Tags.Zip(predicted[i]).Count(p => p.First == p.Second)).Sum() / (double)test.Sum(s => s.Tags.Length);
        }
        double withCasing = Accuracy(true), without = Accuracy(false);
        Assert.True(withCasing >= 0.95, $"with casing {withCasing:P1}");
        Assert.True(without <= 0.6, $"lower-cased words alone {without:P1} should be near chance (1/3)");
    }

    [Fact]
    public void CasingMissingUnexpectedMisalignedOrOutOfRange_AndBadSizes_Throw()
    {
        using var scope = NewDisposeScope();
        using var with = SequenceTagger.Create(Options());
        using var without = SequenceTagger.Create(Options(casing: 0));
        var (tokens, lengths) = TokenBatch.Pad(new[] { new long[] { 2, 3 } });
        var casing = TokenBatch.Pad(new[] { new long[] { 1, 2 } }).Tokens;
        RnnAssert.Throws("casing", () => with.forward(tokens, lengths), "required");
        RnnAssert.Throws("casing", () => without.forward(tokens, lengths, casing: casing), "no casing feature");
        RnnAssert.Throws("casing", () => with.forward(tokens, lengths, casing: TokenBatch.Pad(new[] { new long[] { 1 } }).Tokens), "(1, 2)", "[1, 1]");
        RnnAssert.Throws("casing", () => with.forward(tokens, lengths, casing: TokenBatch.Pad(new[] { new long[] { 1, 6 } }).Tokens), "5", "6");
        RnnAssert.Throws("casing", () => with.Tag(new[] { new long[] { 2, 3 } }, casing: new[] { new long[] { 1 } }), "sentence 0", "2 tokens", "1 casing ids");
        RnnAssert.Throws("casing", () => without.Tag(new[] { new long[] { 2, 3 } }, casing: new[] { new long[] { 1, 1 } }), "no casing feature");
        RnnAssert.Throws("trainCasing", () => new SequenceTaggerTrainingTask(with, new[] { new long[] { 2, 3 } }, new[] { new long[] { 0, 1 } }, Array.Empty<long[]>(), Array.Empty<long[]>(), 4,
            trainCasing: new[] { new long[] { 1, 2, 3 } }, validCasing: Array.Empty<long[]>()), "sentence 0", "2 tokens", "3 casing ids");
        RnnAssert.Throws("validCasing", () => new SequenceTaggerTrainingTask(with, new[] { new long[] { 2, 3 } }, new[] { new long[] { 0, 1 } }, Array.Empty<long[]>(), Array.Empty<long[]>(), 4,
            trainCasing: new[] { new long[] { 1, 2 } }), "required");
        RnnAssert.Throws("CasingEmbeddingSize", () => SequenceTagger.Create(Options(casing: -7)), "-7", "100");
        RnnAssert.Throws("CasingEmbeddingSize", () => SequenceTagger.Create(Options(casing: 101)), "101", "100");
        var tags = with.Tag(new[] { new long[] { 2, 3 }, Array.Empty<long>() }, casing: new[] { new long[] { 1, 2 }, Array.Empty<long>() });
        Assert.Equal(new[] { 2, 0 }, tags.Select(t => t.Length));
    }

    [Fact]
    public void ParameterLowerBound_WithCasing_CountsTheCasingTable()
    {
        var options = new SequenceTaggerOptions { VocabularySize = 97, TagCount = 7, EmbeddingSize = 17, HiddenSize = 23, CasingEmbeddingSize = 9 };
        using var model = SequenceTagger.Create(options);
        long bound = ParameterBudget.LowerBound(options), actual = model.parameters().Sum(p => p.numel());
        Assert.InRange(bound, (long)(0.85 * actual), actual);
        Assert.Equal(TokenCasing.Count * 9L + 2 * 4L * 23 * 9, bound - ParameterBudget.LowerBound(options with { CasingEmbeddingSize = 0 }));
    }
}
