using System.Text.RegularExpressions;
using RnnMl.MLNet.Generation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Classification;

/// <summary>
/// ULMFiT transfer (Howard &amp; Ruder 2018) for the classifier: a language model saved by <c>SaveRnnModel</c> from
/// <c>GenerateText</c> gives the classifier its tokenizer, vocabulary, embedding and recurrent encoder; the head starts
/// fresh. <see cref="Groups"/> makes the parameter groups for discriminative learning rates and gradual unfreezing.
/// </summary>
internal sealed class LanguageModelTransfer : IDisposable
{
    private static readonly Regex LayerSuffix = new(@"_l(\d+)(_reverse)?$", RegexOptions.CultureInvariant);
    private readonly RecurrentTextGeneratorTransformer generator;

    private LanguageModelTransfer(string path, RecurrentTextGeneratorTransformer generator)
    {
        Path = path;
        this.generator = generator;
        Tokenizer = generator.TextStream.Tokenizer;
        Vocabulary = generator.TextStream.Vocabulary;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>The language model's tokenizer, which the classifier uses instead of its own text options.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The language model's vocabulary (its line-break token included), which the classifier uses.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Loads <see cref="RecurrentTextClassifierOptions.PretrainedLanguageModel"/> and checks that the classifier's
    /// architecture options equal the language model's; each mismatch names the option and both values.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file holds no text generator.</exception>
    /// <exception cref="ArgumentException">An architecture option differs from the language model's.</exception>
    public static LanguageModelTransfer Load(RecurrentTextClassifierOptions options)
    {
        string path = options.PretrainedLanguageModel!;
        if (!File.Exists(path))
            throw new FileNotFoundException($"the pretrained language model '{path}' (option {nameof(options.PretrainedLanguageModel)}) does not exist", path);
        var loaded = new MLContext().Model.LoadRnnModel(path, out _);
        var generators = RnnOnnxOperations.Flatten(loaded).OfType<RecurrentTextGeneratorTransformer>().ToList();
        if (generators.Count != 1)
        {
            string held = string.Join(", ", RnnOnnxOperations.Flatten(loaded).Select(t => t.GetType().Name));
            foreach (var t in RnnOnnxOperations.Flatten(loaded).OfType<IDisposable>()) t.Dispose();
            throw new InvalidDataException($"'{path}' ({nameof(options.PretrainedLanguageModel)}) must hold one language model trained with GenerateText, got {(generators.Count == 0 ? "none" : generators.Count.ToString())} (it holds: {held})");
        }
        var transfer = new LanguageModelTransfer(path, generators[0]);
        try
        {
            transfer.Check(options);
        }
        catch
        {
            transfer.Dispose();
            throw;
        }
        return transfer;
    }

    private void Check(RecurrentTextClassifierOptions options)
    {
        var lm = generator.Model.Options;
        void Same<T>(string name, T classifier, T model, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(classifier, model))
                throw new ArgumentException($"the pretrained language model '{Path}' has {what} {model}, but the classifier's {name} is {classifier}; set {name} = {model} to start from it", name);
        }
        if (options.Bidirectional)
            throw new ArgumentException($"the pretrained language model '{Path}' reads forward only, but the classifier's {nameof(options.Bidirectional)} is true; set {nameof(options.Bidirectional)} = false to start from it", nameof(options.Bidirectional));
        Same(nameof(options.Cell), options.Cell, lm.Cell, "cell");
        Same(nameof(options.EmbeddingSize), options.EmbeddingSize, lm.EmbeddingSize, "embedding size");
        Same(nameof(options.HiddenSize), options.HiddenSize, lm.HiddenSize, "hidden size");
        Same(nameof(options.NumLayers), options.NumLayers, lm.NumLayers, "layer count");
        if (options.PretrainedVectorsPath is not null)
            throw new ArgumentException($"the embedding can start from the pretrained language model '{Path}' or from the word vectors '{options.PretrainedVectorsPath}', not both; set {nameof(options.PretrainedVectorsPath)} = null", nameof(options.PretrainedVectorsPath));
    }

    /// <summary>Copies the language model's embedding and recurrent weights into <paramref name="classifier"/>, whose
    /// vocabulary and architecture are the language model's (checked at <see cref="Load"/>).</summary>
    public void CopyInto(SequenceClassifier classifier)
    {
        var source = generator.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var noGrad = no_grad();
        Copy(source["embedding.weight"], classifier.Embedding.weight!, "embedding.weight");
        foreach (var (name, target) in classifier.Encoder.named_parameters())
        {
            if (!source.TryGetValue("recurrent." + name, out var from))
                throw new InvalidDataException($"'{Path}': the language model has no recurrent parameter '{name}' for the classifier's encoder");
            Copy(from, target, name);
        }
    }

    private void Copy(Tensor from, Tensor to, string name)
    {
        if (!from.shape.SequenceEqual(to.shape))
            throw new InvalidDataException($"'{Path}': parameter '{name}' has shape [{string.Join(", ", from.shape)}] in the language model, the classifier needs [{string.Join(", ", to.shape)}]");
        to.copy_(from);
    }

    /// <summary>
    /// The classifier's parameter groups from the top: the head (pooling attention and output layer), then each encoder
    /// layer down, then the embedding. Group k from the top trains at the rate divided by <paramref name="factor"/>^k and,
    /// with <paramref name="gradual"/>, from epoch k on (the head alone in epoch 0). Frozen parameters (requires_grad
    /// off) are left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Groups(SequenceClassifier model, double factor, bool gradual)
    {
        var encoderLayers = new List<Parameter>[model.Options.NumLayers];
        for (int l = 0; l < encoderLayers.Length; l++) encoderLayers[l] = new List<Parameter>();
        foreach (var (name, p) in model.Encoder.named_parameters())
        {
            var m = LayerSuffix.Match(name);
            if (!m.Success) throw new InvalidOperationException($"encoder parameter '{name}' names no layer");
            encoderLayers[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)].Add(p);
        }
        var head = new List<Parameter>();
        foreach (var module in new nn.Module?[] { model.AttentionHidden, model.AttentionScore, model.Output })
            if (module is not null) head.AddRange(module.parameters());
        var fromTop = new List<(string Name, List<Parameter> Parameters)> { ("head", head) };
        for (int l = encoderLayers.Length - 1; l >= 0; l--) fromTop.Add(($"encoder layer {l}", encoderLayers[l]));
        fromTop.Add(("embedding", new List<Parameter> { model.Embedding.weight! }));
        var groups = new List<ParameterGroup>();
        for (int k = 0; k < fromTop.Count; k++)
        {
            var trainable = fromTop[k].Parameters.Where(p => p.requires_grad).ToList();
            if (trainable.Count > 0)
                groups.Add(new ParameterGroup(fromTop[k].Name, trainable, Math.Pow(factor, -k), gradual ? k : 0));
        }
        return groups;
    }

    /// <summary>Disposes the loaded language model.</summary>
    public void Dispose() => generator.Dispose();
}
