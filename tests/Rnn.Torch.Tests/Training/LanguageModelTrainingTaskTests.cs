using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>
/// <see cref="LanguageModelTrainingTask"/>: chunked training with carried state equals one pass over the whole streams
/// up to the cuts (losses and gradients), and the trainer drives it to a low validation bits per character.
/// </summary>
public class LanguageModelTrainingTaskTests
{
    private const int N = 2, K = 5, S = 10; // two chunks per stream

    private static Dictionary<string, Tensor> Gradients(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());

    private static Tensor Loss(Tensor logits, Tensor target) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1));

    [Theory]
    [InlineData(RecurrentCellKind.Lstm)]
    [InlineData(RecurrentCellKind.Gru)]
    public void Evaluate_ChunksWithCarriedState_EqualWholeSequenceUpToTheCut(RecurrentCellKind cell)
    {
        using var scope = NewDisposeScope();
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream, cell);
        var ids = stream.EncodeStream(LanguageModelFixtures.Lines)[..(N * S + 1)];
        using var task = LanguageModelTrainingTask.Create(model, ids, streams: N, steps: K);
        model.train();

        var losses = new List<double>();
        var grads = new List<Dictionary<string, Tensor>>();
        foreach (var chunk in task.TrainingBatches(0, new Random(0)))
        {
            model.zero_grad();
            var result = task.Evaluate(chunk, training: true);
            result.Loss.backward();
            losses.Add(result.Loss.item<double>());
            grads.Add(Gradients(model));
        }
        Assert.Equal(2, losses.Count);

        // The same streams laid out by hand: row n is ids[n·S … n·S + S − 1], its targets one further.
        var input = stack(Enumerable.Range(0, N).Select(n => tensor(ids[(n * S)..(n * S + S)])).ToArray());
        var target = stack(Enumerable.Range(0, N).Select(n => tensor(ids[(n * S + 1)..(n * S + S + 1)])).ToArray());
        var first = TensorIndex.Slice(0, K);
        var second = TensorIndex.Slice(K, S);

        model.zero_grad();
        var (whole, _) = model.forward(input);
        var wholeFirst = Loss(whole[.., first], target[.., first]);
        var wholeSecond = Loss(whole[.., second], target[.., second]);
        Assert.Equal(wholeFirst.item<double>(), losses[0], 12);
        Assert.Equal(wholeSecond.item<double>(), losses[1], 12);
        wholeFirst.backward(retain_graph: true);
        foreach (var (name, g) in Gradients(model)) RnnAssert.Close(g, grads[0][name], 1e-12, $"chunk 1 {name}");

        // Chunk 2's gradient is the whole pass's with the state at the cut held constant...
        model.zero_grad();
        var (_, atCut) = model.Recurrent.forward(model.Embed(input[.., first]));
        var (cutLogits, _) = model.forward(input[.., second], atCut.Detach());
        Loss(cutLogits, target[.., second]).backward();
        foreach (var (name, g) in Gradients(model)) RnnAssert.Close(g, grads[1][name], 1e-12, $"chunk 2 {name}");

        // ...and not the untruncated gradient, which also flows back through the first chunk.
        model.zero_grad();
        wholeSecond.backward();
        var untruncated = Gradients(model)["recurrent.weight_hh_l0"];
        double gap = (untruncated - grads[1]["recurrent.weight_hh_l0"]).abs().max().item<double>();
        Assert.True(gap > 1e-6, $"the cut should change the recurrent gradient, max difference {gap:E2}");
    }

    [Fact]
    public void Evaluate_NewEpoch_StartsFromZeroState()
    {
        using var scope = NewDisposeScope();
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream);
        var ids = stream.EncodeStream(LanguageModelFixtures.Lines);
        using var task = LanguageModelTrainingTask.Create(model, ids, streams: N, steps: K);
        using var noGrad = no_grad();

        var epoch1 = task.TrainingBatches(0, new Random(0)).Select(c => task.Evaluate(c, true).Loss.item<double>()).ToList();
        var epoch2 = task.TrainingBatches(1, new Random(1)).Select(c => task.Evaluate(c, true).Loss.item<double>()).ToList();

        Assert.Equal(epoch1, epoch2);
    }

    [Fact]
    [Trait("Speed", "Seconds")]
    public void Fit_RepeatedText_ReachesLowValidationBitsAndGreedyGenerationContinuesIt()
    {
        var lines = Enumerable.Repeat("abcd efg", 60).ToArray();
        var stream = RnnMl.Text.TextStream.Build(lines, RnnMl.Text.Tokenizer.Create(RnnMl.Text.TokenizerKind.Character));
        manual_seed(5);
        using var model = LanguageModel.Create(new LanguageModelOptions { VocabularySize = stream.Count, EmbeddingSize = 8, HiddenSize = 24 });
        var ids = stream.EncodeStream(lines);
        using var task = LanguageModelTrainingTask.Create(model, ids, ids[..200], streams: 8, steps: 20);
        var result = Trainer.Create(new TrainerOptions { Epochs = 30, LearningRate = 0.02, EarlyStoppingPatience = null, Seed = 1 }).Fit(task);

        double bits = result.History[^1].ValidationMetrics[LanguageModelTrainingTask.BitsMetric];
        Assert.True(bits < 0.3, $"validation bits per character should fall below 0.3 on a repeated line, got {bits:F3}");
        var score = LanguageModelMetrics.Evaluate(model, ids[..200]);
        Assert.Equal(bits, score.BitsPerToken, 6);
        var text = RnnMl.Torch.Decoding.TextGenerator.Create(model, stream).Generate("abc", new RnnMl.Torch.Decoding.SamplingOptions { Temperature = 0, MaxLength = 14 });
        Assert.Equal("d efg\nabcd efg", text);
    }

    [Fact]
    public void Create_BadArguments_NameParameterAndValue()
    {
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream);
        var ids = stream.EncodeStream(LanguageModelFixtures.Lines);
        RnnAssert.Throws("streams", () => LanguageModelTrainingTask.Create(model, ids, streams: 0), "0");
        RnnAssert.Throws("steps", () => LanguageModelTrainingTask.Create(model, ids, steps: -7), "-7");
        RnnAssert.Throws("validationStreams", () => LanguageModelTrainingTask.Create(model, ids, validationStreams: 0), "0");
        var bad = (long[])ids.Clone();
        bad[3] = stream.Count + 7;
        RnnAssert.Throws("trainIds", () => LanguageModelTrainingTask.Create(model, bad, streams: 2), (stream.Count + 7).ToString());
    }
}
