namespace RnnMl.Samples.Sentiment;

/// <summary>The command a command line asks for.</summary>
internal enum CommandKind
{
    Train,
    Predict,
    Export,
    Help,
}
