using RnnMl.Text;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="CharacterWordEncoder"/> and the character option of <see cref="SequenceTagger"/>.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class CharacterWordEncoderTests : OneTorchThread
{
    private static SequenceTaggerOptions Options(bool crf = true) => new()
    {
        VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5, Dropout = 0, UseCrf = crf,
        CharacterVocabularySize = 7, CharacterEmbeddingSize = 3, CharacterHiddenSize = 2,
    };

    [Fact]
    public void Features_AreTheForwardStateAtTheLastCharacterAndTheBackwardStateAtTheFirst_WhateverThePadding()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = SequenceTagger.Create(Options());
        model.eval();
        var encoder = model.Characters!;
        // Two sentences: words of 3, 1 and 5 characters; 2 characters; the batch pads to T = 3, C = 5.
        var chars = new[] { new[] { new long[] { 2, 3, 4 }, new long[] { 5 }, new long[] { 6, 2, 2, 3, 4 } }, new[] { new long[] { 3, 6 } } };
        var features = encoder.forward(CharacterBatch.Pad(chars));
        Assert.Equal(new long[] { 2, 3, 4 }, features.shape);
        int h = 2;
        for (int i = 0; i < chars.Length; i++)
        {
            for (int j = 0; j < chars[i].Length; j++)
            {
                var word = chars[i][j];
                // The word alone, unpadded, through the same BiLSTM without lengths: outputs (1, C', 2H).
                var (output, _) = encoder.Encoder!.forward(model.named_parameters().First(p => p.name == "characters.embedding.weight").parameter
                    .index_select(0, tensor(word)).unsqueeze(0));
                var expected = cat(new[] { output[0, word.Length - 1].narrow(0, 0, h), output[0, 0].narrow(0, h, h) });
                var actual = features[i, j];
                Assert.True(allclose(actual, expected, 1e-5, 1e-6), $"sentence {i}, word {j}: {string.Join(", ", actual.data<float>().ToArray())} vs {string.Join(", ", expected.data<float>().ToArray())}");
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Emissions_OfAPaddedBatchEqualEachSentenceAlone(bool crf)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = SequenceTagger.Create(Options(crf));
        model.eval();
        var sentences = new[] { new long[] { 2, 4, 8, 5 }, new long[] { 3, 6 }, new long[] { 9 } };
        var chars = new[]
        {
            new[] { new long[] { 2 }, new long[] { 3, 4, 5, 6, 2, 3 }, new long[] { 1, 1 }, new long[] { 4 } },
            new[] { new long[] { 5, 5 }, new long[] { 6 } },
            new[] { new long[] { 2, 3, 4 } },
        };
        var (tokens, lengths) = TokenBatch.Pad(sentences);
        var batch = model.forward(tokens, lengths, CharacterBatch.Pad(chars));
        for (int i = 0; i < sentences.Length; i++)
        {
            var alone = model.forward(tensor(sentences[i]).unsqueeze(0), tensor(new long[] { sentences[i].Length }), CharacterBatch.Pad(new[] { chars[i] }));
            var padded = batch[i].narrow(0, 0, sentences[i].Length);
            Assert.True(allclose(alone[0], padded, 1e-5, 1e-6), $"sentence {i}");
        }
        // The characters matter: changing one character of the first word changes its emissions.
        chars[0][0] = new long[] { 6 };
        var changed = model.forward(tokens, lengths, CharacterBatch.Pad(chars));
        Assert.False(allclose(changed[0, 0], batch[0, 0], 1e-4, 1e-5));
    }

    [Fact]
    public void Fit_TagsUnseenWordsByTheirSuffix_WhichTheWordOnlyTaggerCannot()
    {
        // Words are "stem+suffix"; the tag is the suffix's (ing → VERB, s → NOUN, ly → ADV). Held-out words have stems
        // never seen in training, so their token id is <unk>; only the characters can tell the tag.
        var random = new Random(5);
        string[] suffixes = { "ing", "s", "ly" };
        string Stem(bool heldOut) => new string(Enumerable.Range(0, random.Next(2, 5)).Select(_ => (char)((heldOut ? 'n' : 'a') + random.Next(13))).ToArray());
        (string[] Words, long[] Tags) Sentence(bool heldOut)
        {
            int n = random.Next(2, 7);
            var tags = Enumerable.Range(0, n).Select(_ => (long)random.Next(3)).ToArray();
            return (tags.Select(t => Stem(heldOut) + suffixes[t]).ToArray(), tags);
        }
        var train = Enumerable.Range(0, 300).Select(_ => Sentence(false)).ToList();
        var test = Enumerable.Range(0, 60).Select(_ => Sentence(true)).ToList();
        var words = Vocabulary.Build(train.Select(s => s.Words));
        var characters = TaggerCharacters.BuildVocabulary(train.Select(s => s.Words).Concat(test.Select(s => s.Words)));
        double Accuracy(bool withCharacters)
        {
            manual_seed(11);
            using var model = SequenceTagger.Create(new SequenceTaggerOptions
            {
                VocabularySize = words.Count, TagCount = 3, EmbeddingSize = 8, HiddenSize = 8, Dropout = 0,
                CharacterVocabularySize = withCharacters ? characters.Count : 0, CharacterEmbeddingSize = 8, CharacterHiddenSize = 8,
            });
            var trainChars = withCharacters ? train.Select(s => TaggerCharacters.Encode(characters, s.Words)).ToList() : null;
            var task = new SequenceTaggerTrainingTask(model, train.Select(s => words.Encode(s.Words)).ToList(), train.Select(s => s.Tags).ToList(),
                Array.Empty<long[]>(), Array.Empty<long[]>(), batchSize: 16, trainCharacters: trainChars,
                validCharacters: withCharacters ? Array.Empty<long[][]>() : null);
            Trainer.Create(new TrainerOptions { Epochs = 6, LearningRate = 0.02, Seed = 1 }).Fit(task);
            var testTokens = test.Select(s => words.Encode(s.Words)).ToList();
            Assert.All(testTokens.SelectMany(t => t), id => Assert.Equal(Vocabulary.UnknownId, id));
            var predicted = model.Tag(testTokens, withCharacters ? test.Select(s => TaggerCharacters.Encode(characters, s.Words)).ToList() : null);
            return test.Select((s, i) => s.Tags.Zip(predicted[i]).Count(p => p.First == p.Second)).Sum() / (double)test.Sum(s => s.Tags.Length);
        }
        double withChars = Accuracy(true), wordsOnly = Accuracy(false);
        Assert.True(withChars >= 0.95, $"with characters {withChars:P1}");
        Assert.True(wordsOnly <= 0.6, $"word-only tagger {wordsOnly:P1} should be near chance (1/3) on unknown words");
    }

    [Fact]
    public void CharactersMissingUnexpectedOrMisaligned_AndBadSizes_Throw()
    {
        using var scope = NewDisposeScope();
        using var withChars = SequenceTagger.Create(Options());
        using var without = SequenceTagger.Create(Options() with { CharacterVocabularySize = 0 });
        var (tokens, lengths) = TokenBatch.Pad(new[] { new long[] { 2, 3 } });
        var chars = CharacterBatch.Pad(new[] { new[] { new long[] { 2 }, new long[] { 3 } } });
        RnnAssert.Throws("characters", () => withChars.forward(tokens, lengths), "required");
        RnnAssert.Throws("characters", () => without.forward(tokens, lengths, chars), "no character encoder");
        RnnAssert.Throws("characters", () => withChars.forward(tokens, lengths, CharacterBatch.Pad(new[] { new[] { new long[] { 2 } } })), "(1, 2)", "[1, 1, 1]");
        RnnAssert.Throws("characters", () => withChars.forward(tokens, lengths, CharacterBatch.Pad(new[] { new[] { new long[] { 2 }, new long[] { 7 } } })), "6", "7");
        RnnAssert.Throws("characters", () => withChars.Tag(new[] { new long[] { 2, 3 } }, new[] { new[] { new long[] { 2 } } }), "sentence 0", "2 tokens", "1");
        RnnAssert.Throws("CharacterVocabularySize", () => SequenceTagger.Create(Options() with { CharacterVocabularySize = 1 }), "1");
        RnnAssert.Throws("CharacterHiddenSize", () => SequenceTagger.Create(Options() with { CharacterHiddenSize = -7 }), "-7");
        var tags = withChars.Tag(new[] { new long[] { 2, 3 }, Array.Empty<long>() }, new[] { new[] { new long[] { 2 }, new long[] { 3, 4 } }, Array.Empty<long[]>() });
        Assert.Equal(new[] { 2, 0 }, tags.Select(t => t.Length));
    }

    [Fact]
    public void WordDropout_InTrainingReplacesTokensByUnknown_InEvaluationNever()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = SequenceTagger.Create(Options() with { WordDropout = 0.9999 });
        var (tokens, lengths) = TokenBatch.Pad(new[] { new long[] { 2, 3, 4, 8 }, new long[] { 5, 6 } });
        var unknown = tokens.masked_fill(tokens.ne(0), Vocabulary.UnknownId);
        var chars = CharacterBatch.Pad(new[] { new[] { new long[] { 2 }, new long[] { 3 }, new long[] { 4 }, new long[] { 5 } }, new[] { new long[] { 6 }, new long[] { 2, 3 } } });
        model.eval();
        var asUnknown = model.forward(unknown, lengths, chars);
        var plain = model.forward(tokens, lengths, chars);
        Assert.False(allclose(asUnknown, plain, 1e-4, 1e-5), "the test needs token embeddings that matter");
        model.train();   // Dropout is 0: word dropout is the only randomness
        Assert.True(allclose(model.forward(tokens, lengths, chars), asUnknown, 1e-5, 1e-6));
        RnnAssert.Throws("WordDropout", () => SequenceTagger.Create(Options() with { WordDropout = 1 }), "1");
    }

    [Fact]
    public void ParameterLowerBound_WithCharacters_IsTight()
    {
        var options = new SequenceTaggerOptions { VocabularySize = 97, TagCount = 7, EmbeddingSize = 17, HiddenSize = 23, CharacterVocabularySize = 41, CharacterEmbeddingSize = 11, CharacterHiddenSize = 13 };
        using var model = SequenceTagger.Create(options);
        long bound = ParameterBudget.LowerBound(options), actual = model.parameters().Sum(p => p.numel());
        Assert.InRange(bound, (long)(0.85 * actual), actual);
    }
}
