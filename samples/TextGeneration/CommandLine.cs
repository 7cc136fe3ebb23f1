using System.Globalization;
using RnnMl.Text;
using RnnMl.Torch.Layers;

namespace RnnMl.Samples.TextGeneration;

/// <summary>Parses the sample's command line (<c>--name value</c> or <c>--name=value</c>) and prints its help.</summary>
internal static class CommandLine
{
    public static string HelpText
    {
        get
        {
            var t = new TrainSettings();
            var g = new GenerateSettings();
            return $"""
                TextGeneration: trains a character-level language model (RnnMl on ML.NET) and writes text in the style of its data.

                Usage:
                  TextGeneration [options]                                train, print samples as training goes, save the model
                  TextGeneration generate --model FILE --prompt "text"    continue a prompt with a saved model
                  TextGeneration --help                                   show this help

                Without --data the sample writes its own corpus: {TrainSettings.BuiltInLines:N0} sentences about animals from a small grammar (fixed seed).

                Training:
                  --data FILE             plain UTF-8 text, one line or paragraph per line (blank lines skipped)
                  --tokenizer char|word|bpe  character (default), word or subword (byte-pair-encoding) tokens
                  --vocab-size N          subword tokens learned from the text with bpe (default {t.SubwordVocabularySize})
                  --cell lstm|gru|rnn     recurrent cell (default lstm)
                  --layers N              stacked layers (default {t.Layers})
                  --hidden-size N         hidden size (default {t.HiddenSize})
                  --epochs N              epochs at most (default {t.Epochs}); stops after 3 without a better validation loss
                  --streams N             parallel streams of the text per batch (default {t.Streams})
                  --bptt N                truncated BPTT length in tokens (default {t.Steps})
                  --learning-rate X       Adam's learning rate (default {t.LearningRate.ToString(CultureInfo.InvariantCulture)})
                  --seed N                seed for initialisation and sampling (default {t.Seed})
                  --threads N             CPU threads for TorchSharp (default {t.Threads}; more is often slower for small models on a busy machine)
                  --model-out FILE        where to save the model (default {t.ModelOut})

                Generation (generate):
                  --model FILE            a model saved by training
                  --prompt TEXT           the start of the text (default: start a new line)
                  --temperature X         0 for greedy, higher for more adventurous text (default {g.Temperature.ToString(CultureInfo.InvariantCulture)})
                  --top-k N               sample only from the N most likely tokens (default: no limit)
                  --top-p X               sample from the most likely tokens up to probability X (default 1: no cut)
                  --max-length N          tokens to generate at most (default {g.MaxLength})
                  --count N               samples, generated together in one batch (default {g.Count})
                  --seed N                seed of the first sample (default: a new one each run); sample i uses seed + i
                  --stop TEXT             stop a sample where TEXT appears (repeatable; "\n" for the end of a line)

                The last 5% of the lines validate the model; bits per character are reported each epoch (lower is better).
                Ctrl+C stops training; the best model so far is saved. Exit codes: 0 done, 1 bad data or model file, 2 bad command line.
                """;
        }
    }

    public static ParsedCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Any(a => a is "--help" or "-h" or "help")) return new ParsedCommand(null, null, Help: true);
        if (args.Count > 0 && args[0] == "generate") return new ParsedCommand(null, ParseGenerate(args.Skip(1).ToList()), false);
        var s = new TrainSettings();
        foreach (var (name, value) in Options(args))
        {
            s = name switch
            {
                "--data" => s with { DataPath = value },
                "--tokenizer" => s with { Tokenizer = value.ToLowerInvariant() switch { "char" or "character" => TokenizerKind.Character, "word" => TokenizerKind.Word, "bpe" or "subword" => TokenizerKind.Subword, _ => throw Bad(name, value, "char, word or bpe") } },
                "--vocab-size" => s with { SubwordVocabularySize = Int(name, value, 1, 1_000_000) },
                "--cell" => s with { Cell = value.ToLowerInvariant() switch { "lstm" => RecurrentCellKind.Lstm, "gru" => RecurrentCellKind.Gru, "rnn" => RecurrentCellKind.Rnn, _ => throw Bad(name, value, "lstm, gru or rnn") } },
                "--layers" => s with { Layers = Int(name, value, 1, 8) },
                "--hidden-size" => s with { HiddenSize = Int(name, value, 1, 4096) },
                "--epochs" => s with { Epochs = Int(name, value, 1, 10_000) },
                "--streams" => s with { Streams = Int(name, value, 1, 4096) },
                "--bptt" => s with { Steps = Int(name, value, 1, 10_000) },
                "--learning-rate" => s with { LearningRate = Double(name, value, 1e-7, 10) },
                "--seed" => s with { Seed = Int(name, value, int.MinValue, int.MaxValue) },
                "--threads" => s with { Threads = Int(name, value, 1, 256) },
                "--model-out" => s with { ModelOut = value },
                _ => throw new CommandLineException($"unknown option '{name}'"),
            };
        }
        return new ParsedCommand(s, null, false);
    }

    private static GenerateSettings ParseGenerate(IReadOnlyList<string> args)
    {
        var s = new GenerateSettings();
        var stops = new List<string>();
        string? model = null;
        foreach (var (name, value) in Options(args))
        {
            switch (name)
            {
                case "--model": model = value; break;
                case "--prompt": s = s with { Prompt = value }; break;
                case "--temperature": s = s with { Temperature = Double(name, value, 0, 100) }; break;
                case "--top-k": s = s with { TopK = Int(name, value, 1, 1_000_000) }; break;
                case "--top-p": s = s with { TopP = Double(name, value, 1e-9, 1) }; break;
                case "--max-length": s = s with { MaxLength = Int(name, value, 1, 100_000) }; break;
                case "--count": s = s with { Count = Int(name, value, 1, 1000) }; break;
                case "--seed": s = s with { Seed = Int(name, value, int.MinValue, int.MaxValue) }; break;
                case "--stop": stops.Add(value.Replace("\\n", "\n")); break;
                case "--threads": s = s with { Threads = Int(name, value, 1, 256) }; break;
                default: throw new CommandLineException($"unknown option '{name}' for generate");
            }
        }
        if (model is null)
            throw new CommandLineException("generate needs --model FILE, e.g. generate --model textgen-model.zip --prompt \"The old fox\"");
        return s with { ModelPath = model, Stop = stops };
    }

    private static List<(string Name, string Value)> Options(IReadOnlyList<string> args)
    {
        var options = new List<(string, string)>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
                throw new CommandLineException($"unexpected argument '{a}' (options start with --; a prompt goes after --prompt)");
            int eq = a.IndexOf('=');
            if (eq > 0)
            {
                options.Add((a[..eq].ToLowerInvariant(), a[(eq + 1)..]));
                continue;
            }
            if (i + 1 >= args.Count)
                throw new CommandLineException($"option '{a}' needs a value");
            options.Add((a.ToLowerInvariant(), args[++i]));
        }
        return options;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw Bad(name, value, $"a whole number from {min:N0} to {max:N0}");

    private static double Double(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= min && x <= max
            ? x
            : throw Bad(name, value, $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");

    private static CommandLineException Bad(string name, string value, string expected) => new($"{name}: '{value}' is not valid; expected {expected}");
}
