using RnnMl.MLNet.Classification;
using RnnMl.Text.Metrics;
using RnnMl.Text.Tagging;

namespace RnnMl.MLNet.Internal;

/// <summary>Scores a tagger's predictions against a key-vector label column: token accuracy and conlleval's span scores.</summary>
internal static class TaggerEvaluation
{

    public static TaggingEvaluation Evaluate(IDataView scored, IReadOnlyList<string> tagNames, string labelColumnName, string predictedColumnName, TagScheme? scheme)
    {
        var label = Pipeline.ColumnCheck.Require(scored.Schema, labelColumnName, "label");
        if (label.Type is not VectorDataViewType { ItemType: KeyDataViewType { RawType: var raw } key } || raw != typeof(uint))
            throw Pipeline.ColumnCheck.Mismatch("label", labelColumnName, "Vector<Key<UInt32>>", label.Type.ToString());
        // The gold keys are named by the label's own key values when it has them, else by the model's tag order.
        var goldNames = LabelColumns.KeyNames(label, (int)key.Count) ?? tagNames.ToArray();
        var predicted = scored.Schema[predictedColumnName];
        // Spans only where the tags form them: BIO when every tag is O, B-X or I-X (part-of-speech tags do not).
        scheme ??= goldNames.Concat(tagNames).All(t => TagTransitionConstraints.BelongsTo(t, TagScheme.Bio)) ? TagScheme.Bio : null;
        var evaluator = scheme is { } s ? new ConllSpanEvaluator(s) : null;
        long tokens = 0, correct = 0;
        using var cursor = scored.GetRowCursor(new[] { label, predicted });
        var getGold = cursor.GetGetter<VBuffer<uint>>(label);
        var getPredicted = cursor.GetGetter<VBuffer<uint>>(predicted);
        VBuffer<uint> g = default, p = default;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            getGold(ref g);
            getPredicted(ref p);
            var gold = g.DenseValues().ToArray();
            var guess = p.DenseValues().ToArray();
            if (gold.Length != guess.Length)
                throw new InvalidDataException($"row {row}: {gold.Length} tags in column '{labelColumnName}' but {guess.Length} tokens were tagged");
            if (gold.Any(k => k == 0 || k > goldNames.Length))
                throw new InvalidDataException($"row {row}: column '{labelColumnName}' holds a missing or out-of-range tag key");
            var goldTags = gold.Select(k => goldNames[k - 1]).ToArray();
            var guessTags = guess.Select(k => tagNames[(int)k - 1]).ToArray();
            evaluator?.Add(goldTags, guessTags);
            tokens += goldTags.Length;
            correct += goldTags.Zip(guessTags).Count(p => p.First == p.Second);
        }
        return evaluator?.Result() ?? new TaggingEvaluation(tokens, correct, new SpanScores(0, 0, 0), new Dictionary<string, SpanScores>());
    }
}
