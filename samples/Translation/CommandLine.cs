using System.Globalization;
using RnnMl.Samples.Sentiment;
using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;

namespace RnnMl.Samples.Translation;

internal enum CommandKind { Train, Translate, Export, Help }

internal sealed record ParsedCommand(CommandKind Kind, TrainSettings? Train = null, string? ModelPath = null, IReadOnlyList<string>? Sentences = null, string? OnnxPath = null);

/// <summary>Parses the sample's command line (options as <c>--name value</c> or <c>--name=value</c>) and prints its help.</summary>
internal static class CommandLine
{
    public static string HelpText
    {
        get
        {
            var d = new TrainSettings();
            var lib = new RnnMl.MLNet.Translation.RecurrentTranslatorOptions();
            return $"""
                Translation: trains an attention encoder-decoder (RnnMl on ML.NET), reports BLEU with greedy and beam search,
                draws an attention heat map and saves the model.

                Usage:
                  Translation [options]                                    train, evaluate, save the model and the heat map
                  Translation translate --model FILE "sentence" [...]      translate with a saved model
                  Translation export [--model FILE] --onnx FOLDER          export a saved model to ONNX (opset 17): FOLDER/encoder.onnx and
                                                                           FOLDER/decoder.onnx with tokenizers and vocabularies; translate it
                                                                           without TorchSharp: OnnxPredict translate --onnx FOLDER "sentence"
                  Translation --help                                       show this help

                Without --data or --source/--target the sample generates its built-in corpus: {TrainSettings.BuiltInTrainCount:N0} training and
                {TrainSettings.BuiltInTestCount:N0} held-out English sentences with Korean translations in Korean word order (subject-object-verb,
                particles, adjectives, negation, tense, places and time words), e.g. "I am a student." -> "나는 학생이다.".

                Data:
                  --data FILE                  tab-separated pairs: source<TAB>target[<TAB>anything] (Tatoeba/Anki exports)
                  --source FILE --target FILE  two line-aligned files, one sentence per line
                  --reverse                    translate the other way (target -> source)
                  --max-pairs N                use only the first N pairs of the files
                  --test-source FILE --test-target FILE
                                               score a separate test set (two line-aligned files, e.g. an official test set) instead
                                               of holding pairs out; --reverse swaps them too
                  Without a test set, {TrainSettings.HoldOutFraction * 100:0}% of the file pairs (at most {TrainSettings.MaxTestCount:N0}) are held out for the test.
                  Scores: BLEU as sacreBLEU computes it (13a tokens), lower-cased and cased (sacreBLEU's default), and chrF.

                Model and training:
                  --tokenizer word|char|bpe    tokens of both sides: words, characters or subwords (byte-pair encoding)
                  --source-tokenizer word|char|bpe source tokens (default {Name(d.SourceTokenizer)})
                  --target-tokenizer word|char|bpe target tokens (default {Name(d.TargetTokenizer)}; char or bpe suit Korean)
                  --vocab-size N               subword tokens learned per side with bpe (default {d.SubwordVocabularySize})
                  --joint-vocab                with bpe on both sides: one subword vocabulary learned from both
                  --attention KIND             none, bahdanau, dot or general (default {Name(d.Attention)})
                  --cell gru|lstm|rnn          encoder and decoder cell (default {d.Cell.ToString().ToLowerInvariant()})
                  --layers N                   stacked layers in encoder and decoder (default {d.Layers})
                  --hidden-size N              encoder hidden size per direction (default {TrainSettings.BuiltInHiddenSize} on the built-in corpus, the library's {lib.HiddenSize} on files)
                  --embedding-size N           token embedding size (default {TrainSettings.BuiltInEmbeddingSize} built-in, {lib.EmbeddingSize} on files)
                  --epochs N                   epochs at most (default {TrainSettings.BuiltInEpochs} built-in, {lib.Epochs} on files); stops early after 3 epochs without a lower validation loss
                  --minutes X                  stop training after X minutes, keeping the best epoch so far
                  --batch-size N               pairs per batch (default {d.BatchSize})
                  --learning-rate X            Adam's learning rate (default {TrainSettings.BuiltInLearningRate.ToString(CultureInfo.InvariantCulture)} built-in, {lib.LearningRate.ToString(CultureInfo.InvariantCulture)} on files)
                  --beam N                     beam width for the beam-search BLEU and for the saved model (default {d.BeamWidth})
                  --seed N                     seed for the corpus split, initialisation and shuffling (default {d.Seed})
                  --threads N                  CPU threads for TorchSharp (default {d.Threads}; on a busy 2-core machine 1 is fastest)

                Output:
                  --model-out FILE             where to save the model (default {d.ModelOut})
                  --heatmap-out FILE           where to save the attention heat map PNG (default {d.HeatmapOut})

                Ctrl+C stops training; the best model so far is still evaluated and saved.
                Exit codes: 0 done, 1 bad data or model file, 2 bad command line.
                """;
        }
    }

    private const string PositionalHint = "sentences go after 'translate --model FILE'";

    public static ParsedCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?") || (args.Count > 0 && args[0] == "help"))
            return new ParsedCommand(CommandKind.Help);
        if (args.Count > 0 && args[0] == "translate")
        {
            string? model = null;
            var options = CommandLineOptions.Parse(args.Skip(1).ToList(), allowPositional: true, out var sentences, PositionalHint);
            foreach (var (name, value) in options)
            {
                if (name == "--model") model = value;
                else throw new CommandLineException($"unknown option '{name}' for translate (it takes --model FILE and sentences)");
            }
            if (model is null) throw new CommandLineException("translate needs --model FILE");
            if (sentences.Count == 0)
                throw new CommandLineException("translate needs at least one sentence, e.g. translate --model translation-model.zip \"I am a student.\"");
            return new ParsedCommand(CommandKind.Translate, ModelPath: model, Sentences: sentences);
        }
        if (args.Count > 0 && args[0] == "export")
        {
            string model = new TrainSettings().ModelOut;
            string? onnx = null;
            foreach (var (name, value) in CommandLineOptions.Parse(args.Skip(1).ToList(), allowPositional: false, out _, PositionalHint))
            {
                if (name == "--model") model = value;
                else if (name == "--onnx") onnx = value;
                else throw new CommandLineException($"unknown option '{name}' for export (it takes --model FILE and --onnx FOLDER)");
            }
            if (onnx is null) throw new CommandLineException("export needs --onnx FOLDER, the folder to write encoder.onnx and decoder.onnx to");
            return new ParsedCommand(CommandKind.Export, ModelPath: model, OnnxPath: onnx);
        }
        if (args.Count > 0 && args[0] == "train") args = args.Skip(1).ToList();
        return new ParsedCommand(CommandKind.Train, Train: ParseTrain(args));
    }

    private static TrainSettings ParseTrain(IReadOnlyList<string> args)
    {
        var s = new TrainSettings();
        // --reverse is the one flag without a value.
        var list = args.ToList();
        s.Reverse = list.RemoveAll(a => a == "--reverse") > 0;
        s.JointSubwordVocabulary = list.RemoveAll(a => a == "--joint-vocab") > 0;
        foreach (var (name, value) in CommandLineOptions.Parse(list, allowPositional: false, out _, PositionalHint))
        {
            switch (name)
            {
                case "--data": s.DataPath = value; break;
                case "--source": s.SourcePath = value; break;
                case "--target": s.TargetPath = value; break;
                case "--test-source": s.TestSourcePath = value; break;
                case "--test-target": s.TestTargetPath = value; break;
                case "--max-pairs": s.MaxPairs = CommandLineOptions.Int(name, value, 2, int.MaxValue); break;
                case "--tokenizer": s.SourceTokenizer = s.TargetTokenizer = Tokenizer(name, value); break;
                case "--vocab-size": s.SubwordVocabularySize = CommandLineOptions.Int(name, value, 1, 1_000_000); break;
                case "--source-tokenizer": s.SourceTokenizer = Tokenizer(name, value); break;
                case "--target-tokenizer": s.TargetTokenizer = Tokenizer(name, value); break;
                case "--attention":
                    s.Attention = value.ToLowerInvariant() switch
                    {
                        "none" => AttentionKind.None,
                        "bahdanau" or "additive" => AttentionKind.Bahdanau,
                        "dot" or "luongdot" => AttentionKind.LuongDot,
                        "general" or "luonggeneral" => AttentionKind.LuongGeneral,
                        _ => throw CommandLineOptions.Bad(name, value, "none, bahdanau, dot or general"),
                    };
                    break;
                case "--cell":
                    s.Cell = value.ToLowerInvariant() switch
                    {
                        "gru" => RecurrentCellKind.Gru,
                        "lstm" => RecurrentCellKind.Lstm,
                        "rnn" => RecurrentCellKind.Rnn,
                        _ => throw CommandLineOptions.Bad(name, value, "gru, lstm or rnn"),
                    };
                    break;
                case "--layers": s.Layers = CommandLineOptions.Int(name, value, 1, 8); break;
                case "--hidden-size": s.HiddenSize = CommandLineOptions.Int(name, value, 1, 4096); break;
                case "--embedding-size": s.EmbeddingSize = CommandLineOptions.Int(name, value, 1, 4096); break;
                case "--epochs": s.Epochs = CommandLineOptions.Int(name, value, 1, 10_000); break;
                case "--minutes": s.Minutes = CommandLineOptions.Number(name, value, 0.01, 100_000); break;
                case "--batch-size": s.BatchSize = CommandLineOptions.Int(name, value, 1, 65_536); break;
                case "--learning-rate": s.LearningRate = CommandLineOptions.Number(name, value, 1e-7, 10); break;
                case "--beam": s.BeamWidth = CommandLineOptions.Int(name, value, 1, 100); break;
                case "--seed": s.Seed = CommandLineOptions.Int(name, value, 0, int.MaxValue); break;
                case "--threads": s.Threads = CommandLineOptions.Int(name, value, 1, 256); break;
                case "--model-out": s.ModelOut = value; break;
                case "--heatmap-out": s.HeatmapOut = value; break;
                default: throw new CommandLineException($"unknown option '{name}'");
            }
        }
        if (s.DataPath is not null && (s.SourcePath is not null || s.TargetPath is not null))
            throw new CommandLineException("give either --data FILE or --source FILE --target FILE, not both");
        if ((s.SourcePath is null) != (s.TargetPath is null))
            throw new CommandLineException("--source and --target go together");
        if ((s.TestSourcePath is null) != (s.TestTargetPath is null))
            throw new CommandLineException("--test-source and --test-target go together");
        if (s.MaxPairs is not null && s.DataPath is null && s.SourcePath is null)
            throw new CommandLineException("--max-pairs needs --data or --source/--target");
        return s;
    }

    private static TokenizerKind Tokenizer(string name, string value) => value.ToLowerInvariant() switch
    {
        "word" => TokenizerKind.Word,
        "char" or "character" => TokenizerKind.Character,
        "bpe" or "subword" => TokenizerKind.Subword,
        _ => throw CommandLineOptions.Bad(name, value, "word, char or bpe"),
    };

    private static string Name(TokenizerKind kind) => kind switch { TokenizerKind.Word => "word", TokenizerKind.Character => "char", _ => "bpe" };

    private static string Name(AttentionKind kind) => kind switch
    {
        AttentionKind.None => "none",
        AttentionKind.Bahdanau => "bahdanau",
        AttentionKind.LuongDot => "dot",
        _ => "general",
    };
}
