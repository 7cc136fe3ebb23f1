namespace RnnMl.Samples.Sentiment;

/// <summary>One labelled row of a data file.</summary>
/// <param name="Text">The text.</param>
/// <param name="Label">True for positive, false for negative.</param>
/// <param name="LineNumber">The 1-based line where the row starts in its file (0 for rows that came from no file).</param>
public sealed record LabeledText(string Text, bool Label, int LineNumber = 0);
