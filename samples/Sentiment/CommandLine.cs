using System.Globalization;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;

namespace RnnMl.Samples.Sentiment;

/// <summary>Parses the sample's command line (options as <c>--name value</c> or <c>--name=value</c>) and prints its help.</summary>
internal static class CommandLine
{
    public static string HelpText
    {
        get
        {
            var t = new TrainSettings();
            var d = new RecurrentTextClassifierOptions();
            var b = TrainSettings.BuiltInDefaults();
            return $"""
                Sentiment: trains a recurrent text classifier (RnnMl on ML.NET) and compares it with ML.NET's bag-of-words baseline.

                Usage:
                  Sentiment [options]                                train, evaluate, save the model and a plot of the training curves
                  Sentiment predict --model FILE "text" ["text"...]  score texts with a saved model
                  Sentiment predict --onnx FILE "text" ["text"...]   score texts with an exported ONNX model (ONNX Runtime only;
                                                     TorchSharp is not loaded; samples/OnnxPredict does the same without it)
                  Sentiment export [--model FILE] --onnx FILE        export a saved model to ONNX (opset 17) with its tokenizer,
                                                     vocabulary and labels (--model default {t.ModelOut})
                  Sentiment --help                                   show this help

                Without --data the sample makes its built-in data: {TrainSettings.BuiltInTrainCount:N0} training and {TrainSettings.BuiltInTestCount:N0} test film reviews
                (fixed seeds) in which every word is as likely in a positive as in a negative review, so only word order decides.

                Data:
                  --data FILE                  TSV or CSV of labelled texts (delimiter from the extension or the first line)
                  --test FILE                  test file in the same format; without it {TrainSettings.HoldOutFraction * 100:0}% of --data is held out
                  --text-column NAME|INDEX     the text column (header name or 0-based index); detected by default
                  --label-column NAME|INDEX    the label column; detected by default. Labels: {LabeledTextFile.AcceptedLabels}.
                                               A first line whose label field is not a valid label is a header.

                Model and training (defaults: the library's, chosen on real data, with --data; the built-in data's own
                settings without it, shown in brackets):
                  --cell lstm|gru|rnn          recurrent cell (default {Name(d.Cell)} [{Name(b.Cell)}])
                  --layers N                   stacked recurrent layers (default {d.NumLayers} [{b.NumLayers}])
                  --bidirectional true|false   read the text both ways (default {d.Bidirectional.ToString().ToLowerInvariant()} [{b.Bidirectional.ToString().ToLowerInvariant()}])
                  --pooling KIND               last, mean, max, meanmax or attention: how the outputs over time become
                                               one vector (default {d.Pooling.ToString().ToLowerInvariant()} [{b.Pooling.ToString().ToLowerInvariant()}])
                  --tokenizer word|char|bpe    word, character or subword (byte-pair-encoding) tokens (default word)
                  --vocab-size N               subword tokens learned from the training text with bpe (default 8000)
                  --epochs N                   epochs at most (default {d.Epochs} [{b.Epochs}]); training stops early after {d.EarlyStoppingPatience} [{b.EarlyStoppingPatience}]
                                               epochs without a better validation accuracy
                  --hidden-size N              hidden size (default {d.HiddenSize} [{b.HiddenSize}])
                  --ensemble N                 train N models (seeds seed … seed+N−1) and average their probabilities:
                                               more accurate, N times the training time (default {d.EnsembleSize} [{b.EnsembleSize}])
                  --batch-size N               examples per batch (default {d.BatchSize} [{b.BatchSize}])
                  --learning-rate X            base learning rate (default {d.LearningRate.ToString(CultureInfo.InvariantCulture)} {d.Optimizer} {d.Schedule}
                                               [{b.LearningRate.ToString(CultureInfo.InvariantCulture)} {b.Optimizer} {b.Schedule}])
                  --pretrained-lm FILE.zip     start from a language model saved by the TextGeneration sample or
                                               SaveRnnModel (ULMFiT): its tokenizer, vocabulary, embedding and encoder;
                                               the model takes its cell, sizes and layers and reads forward only (unless
                                               given), with gradual unfreezing and discriminative rates (factor 2.6)
                  --seed N                     seed for initialisation, shuffling and the hold-out split (default {t.Seed})
                  --threads N                  CPU threads for TorchSharp (default {t.Threads}; on a busy 2-core machine
                                               2 threads can be many times slower than 1 for a model this small)

                Why the built-in data has settings of its own:
                {Wrap(TrainSettings.BuiltInSettingsReason, "  ")}

                Output:
                  --model-out FILE             where to save the model (default {t.ModelOut})
                  --plot-out FILE              where to save the PNG of loss and accuracy per epoch (default {t.PlotOut})

                Ctrl+C stops training; the best model so far is still evaluated and saved.
                Exit codes: 0 done, 1 bad data or model file, 2 bad command line, 130 cancelled before any epoch ended.
                """;
        }
    }

    private const string PositionalHint = "texts go after 'predict --model FILE'";

    public static ParsedCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?") || (args.Count > 0 && args[0] == "help"))
            return new ParsedCommand(CommandKind.Help);
        if (args.Count > 0 && args[0] == "predict")
            return new ParsedCommand(CommandKind.Predict, Predict: ParsePredict(args.Skip(1).ToList()));
        if (args.Count > 0 && args[0] == "export")
            return new ParsedCommand(CommandKind.Export, Export: ParseExport(args.Skip(1).ToList()));
        if (args.Count > 0 && args[0] == "train")
            args = args.Skip(1).ToList();
        return new ParsedCommand(CommandKind.Train, Train: ParseTrain(args));
    }

    private static TrainSettings ParseTrain(IReadOnlyList<string> args)
    {
        var s = new TrainSettings();
        foreach (var (name, value) in CommandLineOptions.Parse(args, allowPositional: false, out _, PositionalHint))
        {
            switch (name)
            {
                case "--data": s.DataPath = value; break;
                case "--test": s.TestPath = value; break;
                case "--text-column": s.TextColumn = value; break;
                case "--label-column": s.LabelColumn = value; break;
                case "--cell":
                    s.Cell = value.ToLowerInvariant() switch
                    {
                        "lstm" => RecurrentCellKind.Lstm,
                        "gru" => RecurrentCellKind.Gru,
                        "rnn" => RecurrentCellKind.Rnn,
                        _ => throw CommandLineOptions.Bad(name, value, "lstm, gru or rnn"),
                    };
                    break;
                case "--layers": s.Layers = CommandLineOptions.Int(name, value, 1, 8); break;
                case "--bidirectional":
                    s.Bidirectional = value.ToLowerInvariant() switch
                    {
                        "true" or "yes" or "1" => true,
                        "false" or "no" or "0" => false,
                        _ => throw CommandLineOptions.Bad(name, value, "true or false"),
                    };
                    break;
                case "--pooling":
                    s.Pooling = value.ToLowerInvariant() switch
                    {
                        "last" => PoolingKind.Last,
                        "mean" => PoolingKind.Mean,
                        "max" => PoolingKind.Max,
                        "meanmax" => PoolingKind.MeanMax,
                        "attention" => PoolingKind.Attention,
                        _ => throw CommandLineOptions.Bad(name, value, "last, mean, max, meanmax or attention"),
                    };
                    break;
                case "--tokenizer":
                    s.Tokenizer = value.ToLowerInvariant() switch
                    {
                        "word" => TokenizerKind.Word,
                        "char" or "character" => TokenizerKind.Character,
                        "bpe" or "subword" => TokenizerKind.Subword,
                        _ => throw CommandLineOptions.Bad(name, value, "word, char or bpe"),
                    };
                    break;
                case "--vocab-size": s.SubwordVocabularySize = CommandLineOptions.Int(name, value, 1, 1_000_000); break;
                case "--epochs": s.Epochs = CommandLineOptions.Int(name, value, 1, 10_000); break;
                case "--hidden-size": s.HiddenSize = CommandLineOptions.Int(name, value, 1, 4096); break;
                case "--ensemble": s.EnsembleSize = CommandLineOptions.Int(name, value, 1, 100); break;
                case "--batch-size": s.BatchSize = CommandLineOptions.Int(name, value, 1, 65_536); break;
                case "--learning-rate":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) || !(lr > 0 && lr <= 10))
                        throw CommandLineOptions.Bad(name, value, "a number in (0, 10]");
                    s.LearningRate = lr;
                    break;
                case "--pretrained-lm": s.PretrainedLm = value; break;
                case "--model-out": s.ModelOut = value; break;
                case "--plot-out": s.PlotOut = value; break;
                case "--seed": s.Seed = CommandLineOptions.Int(name, value, 0, int.MaxValue); break;
                case "--threads": s.Threads = CommandLineOptions.Int(name, value, 1, 256); break;
                default: throw new CommandLineException($"unknown option '{name}'");
            }
        }
        if (s.PretrainedLm is not null && !File.Exists(s.PretrainedLm))
            throw new CommandLineException($"--pretrained-lm: the file '{s.PretrainedLm}' does not exist");
        if (s.TestPath is not null && s.DataPath is null)
            throw new CommandLineException("--test needs --data (the built-in data has its own test part)");
        if (s.DataPath is null && (s.TextColumn is not null || s.LabelColumn is not null))
            throw new CommandLineException("--text-column and --label-column need --data");
        return s;
    }

    private static PredictSettings ParsePredict(IReadOnlyList<string> args)
    {
        string? model = null, onnx = null;
        var options = CommandLineOptions.Parse(args, allowPositional: true, out var texts, PositionalHint);
        foreach (var (name, value) in options)
        {
            if (name == "--model") model = value;
            else if (name == "--onnx") onnx = value;
            else throw new CommandLineException($"unknown option '{name}' for predict (it takes --model FILE or --onnx FILE, and texts)");
        }
        if (model is null && onnx is null)
            throw new CommandLineException("predict needs --model FILE (a saved model) or --onnx FILE (an exported one)");
        if (model is not null && onnx is not null)
            throw new CommandLineException("predict takes either --model FILE or --onnx FILE, not both");
        if (texts.Count == 0)
            throw new CommandLineException("predict needs at least one text to score, e.g. predict --model sentiment-model.zip \"the film was not bad at all\"");
        return new PredictSettings { ModelPath = model, OnnxPath = onnx, Texts = texts };
    }

    private static ExportSettings ParseExport(IReadOnlyList<string> args)
    {
        var s = new ExportSettings();
        foreach (var (name, value) in CommandLineOptions.Parse(args, allowPositional: false, out _, PositionalHint))
        {
            if (name == "--model") s.ModelPath = value;
            else if (name == "--onnx") s.OnnxPath = value;
            else throw new CommandLineException($"unknown option '{name}' for export (it takes --model FILE and --onnx FILE)");
        }
        if (s.OnnxPath is null)
            throw new CommandLineException("export needs --onnx FILE, the ONNX file to write");
        return s;
    }

    /// <summary>Breaks <paramref name="text"/> into lines of at most about 100 characters, each after the first indented by <paramref name="indent"/> (the help's own indentation comes first).</summary>
    private static string Wrap(string text, string indent)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 100)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return string.Join(Environment.NewLine + indent, lines);
    }

    private static string Name(RecurrentCellKind cell) => cell switch
    {
        RecurrentCellKind.Lstm => "lstm",
        RecurrentCellKind.Gru => "gru",
        _ => "rnn",
    };
}
