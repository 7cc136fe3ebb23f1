using System.Globalization;
using RnnMl.Text.Data;
using RnnMl.Torch.Models;

namespace RnnMl.Samples.Tagging;

/// <summary>What to do, parsed from the command line (see <see cref="HelpText"/>).</summary>
internal sealed record SampleOptions
{
    public const string HelpText = """
        usage: Tagging [train options]                       train, evaluate, save the model (ML.NET .zip) and tag a few examples
               Tagging export --model FILE --onnx OUT        export a saved model to one ONNX file (graph, vocabularies, tag names, CRF)
               Tagging tag --model FILE "a sentence" ...     tag sentences with a saved model: .zip (ML.NET) or .onnx (ONNX Runtime, no libtorch)

        train options:
          --train FILE        training file (default: built-in generated sentences with PER/LOC/ORG names in BIO tags)
          --test FILE         test file (default: built-in; required with --train)
          --format F          conll (token … tag columns) or conllu (default conll)
          --column C          conllu: upos or xpos (default upos); conll: the tag column's index (default: the last)
          --crf B             true (default) or false: CRF or per-token softmax
          --char-encoder E    lstm (default; a character BiLSTM), cnn (a character CNN, faster) or none: the word encoder over characters
          --casing N          width of the casing feature (all-lower, first-upper, all-upper, has-digit, other), 0 for none (default 0)
          --embedding N       word embedding size (default 64)
          --vectors FILE      start the word embedding from pretrained vectors: word2vec/GloVe/fastText text, or word2vec
                              binary for *.bin; their dimension must equal --embedding (e.g. --embedding 100 for glove.6B.100d.txt)
          --freeze-vectors    with --vectors: keep the word embedding fixed in training (default: fine-tune it)
          --epochs N          at most N epochs (default 15)
          --model FILE        where to save the trained model (default tagging-model.zip)
          --threads N         torch threads (default 1)
        """;

    public bool Help { get; init; }
    public bool TagCommand { get; init; }
    public bool ExportCommand { get; init; }
    public string? OnnxPath { get; init; }
    public int Casing { get; init; }
    public IReadOnlyList<string> Sentences { get; init; } = Array.Empty<string>();
    public string? TrainPath { get; init; }
    public string? TestPath { get; init; }
    public bool Conllu { get; init; }
    public ConlluTagColumn ConlluColumn { get; init; } = ConlluTagColumn.Upos;
    public int ConllColumn { get; init; } = -1;
    public bool Crf { get; init; } = true;
    public CharacterEncoderKind CharacterEncoder { get; init; } = CharacterEncoderKind.BiLstm;
    public bool Characters => CharacterEncoder != CharacterEncoderKind.None;
    public int Epochs { get; init; } = 15;
    public int Embedding { get; init; } = 64;
    public string? VectorsPath { get; init; }
    public bool FreezeVectors { get; init; }
    public string ModelPath { get; init; } = "tagging-model.zip";
    public int Threads { get; init; } = 1;

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value, named in the message.</exception>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SampleOptions();
        int start = 0;
        if (args.Count > 0 && args[0] == "tag") { o = o with { TagCommand = true }; start = 1; }
        else if (args.Count > 0 && args[0] == "export") { o = o with { ExportCommand = true }; start = 1; }
        var sentences = new List<string>();
        string? column = null;
        for (int i = start; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--help" or "-h": o = o with { Help = true }; break;
                case "--train": o = o with { TrainPath = Value() }; break;
                case "--test": o = o with { TestPath = Value() }; break;
                case "--format":
                    o = o with { Conllu = Value() switch { "conll" => false, "conllu" => true, var f => throw new ArgumentException($"--format must be conll or conllu, got '{f}'") } };
                    break;
                case "--column": column = Value(); break;
                case "--crf": o = o with { Crf = Bool("--crf", Value()) }; break;
                case "--char-encoder":
                    o = o with
                    {
                        CharacterEncoder = Value() switch
                        {
                            "lstm" => CharacterEncoderKind.BiLstm,
                            "cnn" => CharacterEncoderKind.Cnn,
                            "none" => CharacterEncoderKind.None,
                            var e => throw new ArgumentException($"--char-encoder must be lstm, cnn or none, got '{e}'"),
                        },
                    };
                    break;
                case "--epochs": o = o with { Epochs = Int("--epochs", Value(), 1) }; break;
                case "--casing": o = o with { Casing = Int("--casing", Value(), 0) }; break;
                case "--embedding": o = o with { Embedding = Int("--embedding", Value(), 1) }; break;
                case "--vectors": o = o with { VectorsPath = Value() }; break;
                case "--freeze-vectors": o = o with { FreezeVectors = true }; break;
                case "--onnx" when o.ExportCommand: o = o with { OnnxPath = Value() }; break;
                case "--model": o = o with { ModelPath = Value() }; break;
                case "--threads": o = o with { Threads = Int("--threads", Value(), 1) }; break;
                default:
                    if (o.TagCommand && !args[i].StartsWith("--", StringComparison.Ordinal)) sentences.Add(args[i]);
                    else throw new ArgumentException($"unknown argument '{args[i]}'");
                    break;
            }
        }
        if (column is not null)
        {
            o = o.Conllu
                ? o with { ConlluColumn = column switch { "upos" => ConlluTagColumn.Upos, "xpos" => ConlluTagColumn.Xpos, _ => throw new ArgumentException($"--column must be upos or xpos for conllu, got '{column}'") } }
                : o with { ConllColumn = Int("--column", column, 0) };
        }
        if ((o.TrainPath is null) != (o.TestPath is null))
            throw new ArgumentException("--train and --test go together: give both files or neither (built-in data)");
        if (o.FreezeVectors && o.VectorsPath is null)
            throw new ArgumentException("--freeze-vectors needs --vectors FILE");
        if (o.ExportCommand && o.OnnxPath is null && !o.Help)
            throw new ArgumentException("export needs --onnx OUT, e.g. Tagging export --model tagging-model.zip --onnx tagging-model.onnx");
        if (o.TagCommand && sentences.Count == 0 && !o.Help)
            throw new ArgumentException("tag needs at least one sentence, e.g. Tagging tag --model tagging-model.zip \"Jordan flew to Georgia .\"");
        return o with { Sentences = sentences };
    }

    /// <summary>Reads a tagged file in the chosen format.</summary>
    public IReadOnlyList<TaggedSentence> Read(string path)
        => Conllu ? ConlluReader.ReadFile(path, ConlluColumn) : ConllColumnReader.ReadFile(path, ConllColumn);

    private static bool Bool(string name, string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"{name} must be true or false, got '{value}'"),
    };

    private static int Int(string name, string value, int min)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min ? v
            : throw new ArgumentException($"{name} needs a whole number of at least {min}, got '{value}'");
}
