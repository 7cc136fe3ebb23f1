using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// A trained model bound to one input schema: which input column it reads, which columns it adds, and how it computes
/// them for a batch of rows. <see cref="ScoredDataView{TResult}"/> (Transform, in batches) and
/// <see cref="ScorerRowMapper{TResult}"/> (PredictionEngine, row by row) serve every RnnMl transformer through it.
/// </summary>
/// <typeparam name="TResult">What the model computes for one row (logits, a translation), from which the added columns are read.</typeparam>
internal interface IRowScorer<TResult>
{
    /// <summary>The input schema.</summary>
    DataViewSchema Input { get; }

    /// <summary>The input schema followed by the added columns.</summary>
    DataViewSchema Output { get; }

    /// <summary>The column the model reads.</summary>
    DataViewSchema.Column InputColumn { get; }

    /// <summary>How many columns the model adds.</summary>
    int OutputCount { get; }

    /// <summary>A getter that reads and encodes the model's input from the current row of <paramref name="row"/>.</summary>
    Func<long[]> MakeGetter(DataViewRow row);

    /// <summary>The results for a batch of encoded rows, in order.</summary>
    TResult[] Score(IReadOnlyList<long[]> batch);

    /// <summary>The value getter of an added column whose value comes from <paramref name="current"/>.</summary>
    Delegate Getter(int outputIndex, Func<TResult> current);
}
