using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="SequenceTagger"/> and <see cref="SequenceTaggerTrainingTask"/>: learning a tag that depends on context, shapes, bad rows.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceTaggerTrainingTaskTests : OneTorchThread
{
    // Token ids: 0 padding, 1 unknown, 2–3 determiners, 4–7 ambiguous words, 8–9 other words.
    // Tags: 0 DET, 1 NOUN, 2 VERB, 3 OTHER. An ambiguous word is a NOUN right after a determiner and a VERB elsewhere,
    // so the word alone cannot tell its tag.
    private static (long[] Tokens, long[] Tags) Sentence(Random random)
    {
        int length = random.Next(3, 11);
        var tokens = new long[length];
        var tags = new long[length];
        for (int t = 0; t < length; t++)
        {
            double u = random.NextDouble();
            tokens[t] = u < 0.45 ? random.Next(2, 4) : u < 0.9 ? random.Next(4, 8) : random.Next(8, 10);
            tags[t] = tokens[t] switch
            {
                < 4 => 0,
                < 8 => t > 0 && tokens[t - 1] < 4 ? 1 : 2,
                _ => 3,
            };
        }
        return (tokens, tags);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fit_OnContextDependentTags_BeatsTheMostFrequentTagBaselineOnHeldOutSentences(bool crf)
    {
        var random = new Random(3);
        var train = Enumerable.Range(0, 600).Select(_ => Sentence(random)).ToList();
        var seen = train.Select(s => string.Join(",", s.Tokens)).ToHashSet();
        var heldOut = Enumerable.Range(0, 2000).Select(_ => Sentence(random))
            .Where(s => !seen.Contains(string.Join(",", s.Tokens))).Take(200).ToList();
        Assert.Equal(200, heldOut.Count);

        // Most-frequent tag per word, learned from the training sentences.
        var mft = train.SelectMany(s => s.Tokens.Zip(s.Tags)).GroupBy(p => p.First)
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Second).OrderByDescending(h => h.Count()).First().Key);
        long tokens = heldOut.Sum(s => s.Tokens.Length);
        double baseline = heldOut.Sum(s => s.Tokens.Zip(s.Tags).Count(p => mft[p.First] == p.Second)) / (double)tokens;

        manual_seed(4);
        using var model = SequenceTagger.Create(new SequenceTaggerOptions
        {
            VocabularySize = 10, TagCount = 4, EmbeddingSize = 8, HiddenSize = 16, Dropout = 0, UseCrf = crf,
        });
        var task = new SequenceTaggerTrainingTask(model, train.Select(s => s.Tokens).ToList(), train.Select(s => s.Tags).ToList(),
            heldOut.Take(50).Select(s => s.Tokens).ToList(), heldOut.Take(50).Select(s => s.Tags).ToList(), batchSize: 16);
        var result = Trainer.Create(new TrainerOptions { Epochs = 10, LearningRate = 0.02, Seed = 1 }).Fit(task);
        Assert.True(result.History[^1].ValidationLoss < result.History[0].ValidationLoss);

        var predicted = model.Tag(heldOut.Select(s => s.Tokens).ToList());
        double accuracy = heldOut.Select((s, i) => s.Tags.Zip(predicted[i]).Count(p => p.First == p.Second)).Sum() / (double)tokens;
        Assert.True(baseline < 0.85, $"the baseline {baseline:P1} is too strong for the task to prove anything");
        Assert.True(accuracy >= 0.98 && accuracy >= baseline + 0.1, $"accuracy {accuracy:P2}, most-frequent-tag baseline {baseline:P2}");
    }

    [Fact]
    public void Tag_GivesOneTagPerToken_EmptySentenceGetsNone()
    {
        using var model = SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5 });
        var tags = model.Tag(new[] { new long[] { 2, 4, 8 }, Array.Empty<long>(), new long[] { 5 } });
        Assert.Equal(new[] { 3, 0, 1 }, tags.Select(t => t.Length));
        Assert.All(tags.SelectMany(t => t), t => Assert.InRange(t, 0, 3));
        Assert.True(model.training, "Tag must restore training mode");
    }

    [Fact]
    public void BadRowsAndOptions_NameTheRowAndBothValues()
    {
        using var model = SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5 });
        var ok = new[] { new long[] { 2, 3 } };
        RnnAssert.Throws("trainTags", () => new SequenceTaggerTrainingTask(model, ok, new[] { new long[7] }, ok, ok, 4), "row 0", "2", "7");
        RnnAssert.Throws("validTags", () => new SequenceTaggerTrainingTask(model, ok, ok, ok, new[] { new long[] { 0, 7 } }, 4), "3", "7");
        RnnAssert.Throws("trainTags", () => new SequenceTaggerTrainingTask(model, ok, Array.Empty<long[]>(), ok, ok, 4), "1", "0");
        RnnAssert.Throws("TagCount", () => SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = 10, TagCount = -7 }), "-7");
        var constraints = RnnMl.Text.Tagging.TagTransitionConstraints.FromTagNames(new[] { "O", "B-A", "I-A", "B-B", "I-B", "B-C", "I-C" }, RnnMl.Text.Tagging.TagScheme.Bio);
        RnnAssert.Throws("Constraints", () => SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = 10, TagCount = 4, Constraints = constraints }), "4", "7");
    }

    [Fact]
    public void AfterDispose_TagThrowsObjectDisposedException()
    {
        var model = SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5 });
        model.Dispose();
        using var x = tensor(new long[] { 2 }).unsqueeze(0);
        using var n = tensor(new long[] { 1 });
        using var e = zeros(1, 1, 4);
        Assert.Throws<ObjectDisposedException>(() => model.Tag(new[] { new long[] { 2 } }));
        Assert.Throws<ObjectDisposedException>(() => model.forward(x, n));
        Assert.Throws<ObjectDisposedException>(() => model.SentenceLoss(e, x, n));
        Assert.Throws<ObjectDisposedException>(() => model.Decode(e, n));
        Assert.Throws<ObjectDisposedException>(() => model.Options);
        Assert.Throws<ObjectDisposedException>(() => model.Crf);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SentenceLoss_PaddedBatchEqualsEachSentenceAlone_AndSoftmaxLossEqualsCrossEntropy(bool crf)
    {
        using var scope = NewDisposeScope();
        using var model = SequenceTagger.Create(new SequenceTaggerOptions
        {
            VocabularySize = 10, TagCount = 4, EmbeddingSize = 4, HiddenSize = 5, UseCrf = crf, Dropout = 0,
        });
        model.eval();
        var sentences = new[] { new long[] { 2, 4, 8, 5 }, new long[] { 3, 6 }, new long[] { 9 } };
        var tags = new[] { new long[] { 0, 1, 3, 2 }, new long[] { 0, 1 }, new long[] { 3 } };
        var (tokens, lengths) = RnnMl.Torch.Text.TokenBatch.Pad(sentences);
        var (gold, _) = RnnMl.Torch.Text.TokenBatch.Pad(tags);
        var batch = model.SentenceLoss(model.forward(tokens, lengths), gold, lengths);
        for (int i = 0; i < sentences.Length; i++)
        {
            var x = tensor(sentences[i]).unsqueeze(0);
            var y = tensor(tags[i]).unsqueeze(0);
            var n = tensor(new long[] { sentences[i].Length });
            var emissions = model.forward(x, n);
            var alone = model.SentenceLoss(emissions, y, n);
            Assert.Equal(alone.item<float>(), batch[i].item<float>(), 5);
            if (!crf)
            {
                var expected = TorchSharp.torch.nn.functional.cross_entropy(emissions[0], y[0], reduction: TorchSharp.torch.nn.Reduction.Sum);
                Assert.Equal(expected.item<float>(), alone.item<float>(), 5);
            }
        }
    }
}
