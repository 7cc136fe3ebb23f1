namespace RnnMl.Text.Metrics;

/// <summary>A labelled span (chunk, entity) of a tag sequence: tokens [<paramref name="Start"/>, <paramref name="End"/>).</summary>
/// <param name="Type">The span type, e.g. <c>PER</c> for <c>B-PER</c>.</param>
/// <param name="Start">Index of the first token.</param>
/// <param name="End">Index one past the last token.</param>
public sealed record TagSpan(string Type, int Start, int End);
