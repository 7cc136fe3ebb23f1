using RnnMl.Text;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary>The character CNN of <see cref="CharacterWordEncoder"/> (<see cref="CharacterEncoderKind.Cnn"/>).</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class CharacterCnnEncoderTests : OneTorchThread
{
    private static SequenceTaggerOptions Options() => new()
    {
        VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5, Dropout = 0,
        CharacterVocabularySize = 7, CharacterEmbeddingSize = 3, CharacterHiddenSize = 2, CharacterEncoder = CharacterEncoderKind.Cnn,
    };

    [Fact]
    public void Features_AreTheMaxOverTheWordOfAWidth3Convolution_WhateverThePadding()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = SequenceTagger.Create(Options());
        model.eval();
        var encoder = model.Characters!;
        Assert.Null(encoder.Encoder);
        var e = model.named_parameters().First(p => p.name == "characters.embedding.weight").parameter.to_type(ScalarType.Float64);
        var w = encoder.Convolution!.weight!.to_type(ScalarType.Float64);
        var b = encoder.Convolution!.bias!.to_type(ScalarType.Float64);
        // Words of 3, 1 and 5 characters and of 2 (unknown id 1 too); the batch pads to T = 3, C = 5.
        var chars = new[] { new[] { new long[] { 2, 3, 4 }, new long[] { 5 }, new long[] { 6, 2, 2, 3, 4 } }, new[] { new long[] { 3, 1 } } };
        var features = encoder.forward(CharacterBatch.Pad(chars));
        Assert.Equal(new long[] { 2, 3, 4 }, features.shape);
        for (int i = 0; i < chars.Length; i++)
            for (int j = 0; j < chars[i].Length; j++)
            {
                var word = chars[i][j];
                for (int f = 0; f < 4; f++)
                {
                    // Brute force: position p sees characters p−1, p, p+1, zero outside the word.
                    double best = double.NegativeInfinity;
                    for (int p = 0; p < word.Length; p++)
                    {
                        double s = b[f].item<double>();
                        for (int k = 0; k < 3; k++)
                        {
                            int q = p - 1 + k;
                            if (q < 0 || q >= word.Length) continue;
                            for (int c = 0; c < 3; c++) s += w[f, c, k].item<double>() * e[word[q], c].item<double>();
                        }
                        best = Math.Max(best, s);
                    }
                    Assert.Equal(best, features[i, j, f].item<float>(), 5);
                }
            }
    }

    [Fact]
    public void Features_OfManyLongWordsInOneBatch_EqualEachWordAlone()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = SequenceTagger.Create(Options() with { CharacterVocabularySize = 60, CharacterEmbeddingSize = 25, CharacterHiddenSize = 50 });
        model.eval();
        var random = new Random(7);
        var sentences = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, random.Next(1, 30))
            .Select(_ => Enumerable.Range(0, random.Next(1, 19)).Select(_ => (long)random.Next(1, 60)).ToArray()).ToArray()).ToArray();
        var features = model.Characters!.forward(CharacterBatch.Pad(sentences));
        for (int i = 0; i < sentences.Length; i += 7)
            for (int j = 0; j < sentences[i].Length; j++)
            {
                var alone = model.Characters!.forward(CharacterBatch.Pad(new[] { new[] { sentences[i][j] } }))[0, 0];
                Assert.True(allclose(alone, features[i, j], 1e-4, 1e-5), $"sentence {i}, word {j}: max difference {(alone - features[i, j]).abs().max().item<float>()}");
            }
    }

    [Fact]
    public void Training_KeepsTheLossFinite_AndGradientsReachTheFilters()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = SequenceTagger.Create(Options() with { Dropout = 0.5 });
        model.train();
        var (tokens, lengths) = TokenBatch.Pad(new[] { new long[] { 2, 4, 8, 5 }, new long[] { 3 } });
        var (tags, _) = TokenBatch.Pad(new[] { new long[] { 0, 1, 2, 3 }, new long[] { 1 } });
        var chars = CharacterBatch.Pad(new[] { new[] { new long[] { 2 }, new long[] { 3, 4, 5, 6, 2, 3 }, new long[] { 1, 1 }, new long[] { 4 } }, new[] { new long[] { 5, 5 } } });
        var loss = model.SentenceLoss(model.forward(tokens, lengths, chars), tags, lengths).sum();
        loss.backward();
        Assert.True(double.IsFinite(loss.item<float>()));
        var grad = model.Characters!.Convolution!.weight!.grad!;
        Assert.True(grad.isfinite().all().item<bool>(), "filter gradients must be finite");
        Assert.True(grad.abs().sum().item<float>() > 0, "the filters must get a gradient");
    }

    [Fact]
    public void ParameterLowerBound_WithTheCnn_IsTight_AndNoneWithCharactersIsRefused()
    {
        var options = new SequenceTaggerOptions { VocabularySize = 97, TagCount = 7, EmbeddingSize = 17, HiddenSize = 23, CharacterVocabularySize = 41, CharacterEmbeddingSize = 11, CharacterHiddenSize = 13, CharacterEncoder = CharacterEncoderKind.Cnn };
        using var model = SequenceTagger.Create(options);
        long bound = ParameterBudget.LowerBound(options), actual = model.parameters().Sum(p => p.numel());
        Assert.InRange(bound, (long)(0.85 * actual), actual);
        RnnAssert.Throws("CharacterEncoder", () => SequenceTagger.Create(options with { CharacterEncoder = CharacterEncoderKind.None }), "None");
        using var none = SequenceTagger.Create(options with { CharacterVocabularySize = 0, CharacterEncoder = CharacterEncoderKind.None });
        Assert.Null(none.Characters);
    }
}
