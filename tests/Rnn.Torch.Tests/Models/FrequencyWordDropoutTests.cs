using RnnMl.Text;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="SequenceTaggerOptions.FrequencyWordDropout"/>, applied by <see cref="SequenceTaggerTrainingTask"/>.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class FrequencyWordDropoutTests : OneTorchThread
{
    private static readonly long[][] Tokens = { new long[] { 2, 3, 4, 2 }, new long[] { 5, 2 }, new long[] { 6, 3, 2 } };
    private static readonly long[][] Tags = { new long[] { 0, 1, 2, 3 }, new long[] { 1, 0 }, new long[] { 2, 2, 1 } };

    private static double Loss(SequenceTagger model, IReadOnlyList<long[]> tokens, bool training)
    {
        using var task = new SequenceTaggerTrainingTask(model, tokens, Tags, Array.Empty<long[]>(), Array.Empty<long[]>(), batchSize: 8);
        var batch = task.TrainingBatches(0, new Random(1)).Single();
        using var scope = NewDisposeScope();
        return task.Evaluate(batch, training).Loss.item<float>();
    }

    [Fact]
    public void InTraining_ATokenSeenCTimesBecomesUnknownWithProbabilityAlphaOverAlphaPlusC_InValidationNever()
    {
        manual_seed(7);
        var options = new SequenceTaggerOptions { VocabularySize = 8, TagCount = 4, EmbeddingSize = 5, HiddenSize = 4, Dropout = 0 };
        using var plain = SequenceTagger.Create(options);
        using var dropping = SequenceTagger.Create(options with { FrequencyWordDropout = 1e12 });   // α ≫ c: every word is dropped
        dropping.load_state_dict(plain.state_dict());
        var unknown = Tokens.Select(s => s.Select(_ => (long)Vocabulary.UnknownId).ToArray()).ToArray();
        double asUnknown = Loss(plain, unknown, training: false), asWords = Loss(plain, Tokens, training: false);
        Assert.True(Math.Abs(asUnknown - asWords) > 1e-3, "the test needs token embeddings that matter");
        Assert.Equal(asUnknown, Loss(dropping, Tokens, training: true), 5);
        Assert.Equal(asWords, Loss(dropping, Tokens, training: false), 5);
        using var tiny = SequenceTagger.Create(options with { FrequencyWordDropout = 1e-12 });   // α ≪ c: none is
        tiny.load_state_dict(plain.state_dict());
        Assert.Equal(asWords, Loss(tiny, Tokens, training: true), 5);
        RnnAssert.Throws("FrequencyWordDropout", () => SequenceTagger.Create(options with { FrequencyWordDropout = -7 }), "-7");
    }

    [Fact]
    public void Dispose_ReleasesTheTable_ThenABatchThrowsAndTheModelStillWorks()
    {
        var options = new SequenceTaggerOptions { VocabularySize = 8, TagCount = 4, EmbeddingSize = 5, HiddenSize = 4, FrequencyWordDropout = 0.25 };
        using var model = SequenceTagger.Create(options);
        var task = new SequenceTaggerTrainingTask(model, Tokens, Tags, Array.Empty<long[]>(), Array.Empty<long[]>(), batchSize: 8);
        var batch = task.TrainingBatches(0, new Random(1)).Single();
        task.Dispose();
        task.Dispose();
        Assert.Throws<ObjectDisposedException>(() => task.Evaluate(batch, training: true));
        Assert.Equal(4, model.Tag(Tokens)[0].Length);
    }
}
