using System.Text;
using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Decoding;

/// <summary>
/// Generates text with a <see cref="LanguageModel"/> (the one-to-many shape): the prompt primes the state in one pass,
/// then one token at a time is chosen (<see cref="TokenSampler"/>) and fed back, with the state carried from step to step.
/// </summary>
/// <remarks>
/// Several prompts run as one batch: prompts of different lengths are primed together with per-sequence lengths,
/// and each sample draws from its own seeded <see cref="Random"/>, so a batch gives the samples that generating each
/// prompt alone with the same seed gives (up to libtorch rounding differently for different batch shapes).
/// Results hold only the generated continuation, not the prompt. Generation runs without gradients in eval mode; a
/// model that was in training mode is put back into it afterwards (so a generator used from several threads at once
/// needs a model already in eval mode).
/// </remarks>
public sealed class TextGenerator
{
    private TextGenerator(LanguageModel model, TextStream stream) => (Model, Stream) = (model, stream);

    /// <summary>Creates a generator.</summary>
    /// <param name="model">The language model (not owned).</param>
    /// <param name="stream">The text codec the model was trained with.</param>
    /// <exception cref="ArgumentException">The model's vocabulary size differs from the codec's.</exception>
    public static TextGenerator Create(LanguageModel model, TextStream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (model.Options.VocabularySize != stream.Count)
            throw new ArgumentException($"the model's vocabulary size must be the text stream's {stream.Count}, got {model.Options.VocabularySize}", nameof(model));
        return new TextGenerator(model, stream);
    }

    /// <summary>The model.</summary>
    public LanguageModel Model { get; }

    /// <summary>The text codec.</summary>
    public TextStream Stream { get; }

    /// <summary>Continues one prompt.</summary>
    /// <param name="prompt">The start of a line; null or empty to start a new line.</param>
    /// <param name="options">How to choose tokens; default <c>new SamplingOptions()</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public string Generate(string? prompt, SamplingOptions? options = null) => Generate(new[] { prompt }, options)[0];

    /// <summary>Draws <paramref name="count"/> samples from one prompt in one batch (sample i with seed Seed + i).</summary>
    /// <param name="prompt">The start of a line; null or empty to start a new line.</param>
    /// <param name="count">How many samples; at least 1.</param>
    /// <param name="options">How to choose tokens; default <c>new SamplingOptions()</c>.</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public IReadOnlyList<string> Sample(string? prompt, int count, SamplingOptions? options = null)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"the number of samples must be at least 1, got {count}");
        return Generate(Enumerable.Repeat(prompt, count).ToArray(), options);
    }

    /// <summary>Continues several prompts in one batch.</summary>
    /// <param name="prompts">One prompt per sample; at least one.</param>
    /// <param name="options">How to choose tokens; default <c>new SamplingOptions()</c>.</param>
    /// <param name="seeds">One seed per prompt, overriding <see cref="SamplingOptions.Seed"/> + i; null to use that. Default null.</param>
    /// <returns>The generated continuations, in prompt order.</returns>
    /// <exception cref="ArgumentException">No prompts, a seed count that differs from the prompt count, or an option out of range.</exception>
    public IReadOnlyList<string> Generate(IReadOnlyList<string?> prompts, SamplingOptions? options = null, IReadOnlyList<int>? seeds = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        options = (options ?? new SamplingOptions()).Validate();
        if (prompts.Count == 0)
            throw new ArgumentException("there must be at least one prompt, got 0", nameof(prompts));
        if (seeds is not null && seeds.Count != prompts.Count)
            throw new ArgumentException($"there must be one seed per prompt ({prompts.Count}), got {seeds.Count}", nameof(seeds));
        int n = prompts.Count;
        var randoms = new Random[n];
        for (int i = 0; i < n; i++)
            randoms[i] = new Random(seeds?[i] ?? (options.Seed is int s ? unchecked(s + i) : Random.Shared.Next()));
        var primed = prompts.Select(Stream.EncodePrompt).ToList();

        bool wasTraining = Model.training;
        if (wasTraining) Model.eval();
        try
        {
            using var noGrad = no_grad();
            return Run(primed, options, randoms);
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }

    private string[] Run(List<long[]> primed, SamplingOptions options, Random[] randoms)
    {
        int n = primed.Count, v = Stream.Count;
        var texts = primed.Select(_ => new StringBuilder()).ToArray();
        var done = new bool[n];
        var startsLine = primed.Select(p => !Stream.SpaceFollows(p[^1])).ToArray();
        var device = Model.Device;
        RecurrentState? state = null;
        float[] logits;
        try
        {
            using (var scope = NewDisposeScope())
            {
                var (tokens, lengths) = TokenBatch.Pad(primed, device: device);
                bool ragged = primed.Any(p => p.Length != primed[0].Length);
                var (all, final) = Model.forward(tokens, null, ragged ? lengths : null);
                // Each prompt's own last step: (N, 1, V) gathered at lengths − 1.
                var last = all.gather(1, (lengths - 1).to(device).view(n, 1, 1).expand(n, 1, v)).squeeze(1);
                logits = last.to(ScalarType.Float32).cpu().data<float>().ToArray();
                state = final.DetachFromDisposeScope();
            }

            var next = new long[n];
            for (int step = 0; step < options.MaxLength; step++)
            {
                bool anyActive = false;
                for (int i = 0; i < n; i++)
                {
                    if (done[i]) continue;
                    int id = TokenSampler.Choose(logits.AsSpan(i * v, v), options, randoms[i]);
                    next[i] = id;
                    done[i] = Append(texts[i], Stream.TextOf(id, startsLine[i]), options.StopStrings);
                    startsLine[i] = !Stream.SpaceFollows(id);
                    anyActive |= !done[i];
                }
                if (!anyActive || step == options.MaxLength - 1) break;
                using var scope = NewDisposeScope();
                var (stepLogits, stepState) = Model.forward(tensor(next, new long[] { n, 1 }, ScalarType.Int64, device), state);
                logits = stepLogits.to(ScalarType.Float32).cpu().data<float>().ToArray();
                state.Dispose();
                state = stepState.DetachFromDisposeScope();
            }
        }
        finally
        {
            state?.Dispose();
        }
        return texts.Select(t => t.ToString()).ToArray();
    }

    /// <summary>Appends a token's text; if a stop string now occurs, cuts the text where it starts and returns true.</summary>
    private static bool Append(StringBuilder text, string piece, IReadOnlyList<string> stops)
    {
        int before = text.Length;
        text.Append(piece);
        if (stops.Count == 0) return false;
        int cut = -1;
        foreach (var stop in stops)
        {
            // Only a match that ends inside the new piece is new; earlier text was checked before.
            int from = Math.Max(0, before - stop.Length + 1);
            int at = text.ToString(from, text.Length - from).IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || from + at < cut)) cut = from + at;
        }
        if (cut < 0) return false;
        text.Length = cut;
        return true;
    }
}
