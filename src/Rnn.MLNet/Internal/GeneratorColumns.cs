namespace RnnMl.MLNet.Internal;

/// <summary>The columns of a text generator: the prompt it reads, the text it adds, and the training text column (kept for the record).</summary>
internal sealed record GeneratorColumns(string Prompt, string Output, string TrainingText);
