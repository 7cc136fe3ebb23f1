namespace RnnMl.MLNet.Generation;

/// <summary>
/// Learns a recurrent language model (character-level by default) from a text column and gives a transformer that
/// continues the prompts of a prompt column. Created by <c>mlContext.Transforms.Text.GenerateText(...)</c>.
/// </summary>
/// <remarks>
/// The rows of the text column are read in order as one long text, a line break before each row; it is cut into
/// <see cref="RecurrentTextGeneratorOptions.Streams"/> contiguous streams trained with truncated BPTT. Validation (best
/// epoch, early stopping, bits per token in the log) uses the rows of the validation data, or the last
/// <see cref="RecurrentTrainingOptions.ValidationFraction"/> of the rows.
/// </remarks>
/// <example>
/// <code>
/// var estimator = mlContext.Transforms.Text.GenerateText(textColumnName: "Text", promptColumnName: "Prompt");
/// using var generator = estimator.Fit(corpus);
/// var continued = generator.Transform(prompts); // adds the String column "GeneratedText"
/// </code>
/// </example>
public sealed class RecurrentTextGeneratorEstimator : RecurrentEstimator<RecurrentTextGeneratorOptions, RecurrentTextGeneratorTransformer>
{
    internal RecurrentTextGeneratorEstimator(IHostEnvironment env, RecurrentTextGeneratorOptions options)
        : base(env, options, "RnnMl.RecurrentTextGenerator", o => new GeneratorFit(o), GeneratorFit.OutputSchema)
    {
    }
}
