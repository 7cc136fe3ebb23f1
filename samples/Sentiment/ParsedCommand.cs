namespace RnnMl.Samples.Sentiment;

/// <summary>A parsed command line: the command and its settings.</summary>
internal sealed record ParsedCommand(CommandKind Kind, TrainSettings? Train = null, PredictSettings? Predict = null, ExportSettings? Export = null);
