using RnnMl.Text.Metrics;
using RnnMl.Text.Tagging;

namespace RnnMl.Text.Tests.Metrics;

/// <summary><see cref="ConllSpanEvaluator"/> on hand-computed cases, ill-formed sequences read as conlleval reads them.</summary>
public class ConllSpanEvaluatorTests
{
    private static string[] T(string tags) => tags.Split(' ');

    private static TagSpan[] Spans(string tags, TagScheme scheme = TagScheme.Bio) => ConllSpanEvaluator.ExtractSpans(T(tags), scheme).ToArray();

    [Fact]
    public void ExtractSpans_WellFormedBio()
        => Assert.Equal(new[] { new TagSpan("PER", 0, 2), new TagSpan("LOC", 3, 4), new TagSpan("LOC", 4, 6) },
            Spans("B-PER I-PER O B-LOC B-LOC I-LOC"));

    [Fact]
    public void ExtractSpans_IllFormed_AsConlleval()
    {
        // I-X after O starts a span; I-X after I-X continues it.
        Assert.Equal(new[] { new TagSpan("PER", 1, 3) }, Spans("O I-PER I-PER"));
        // I-X at the start of a sentence starts a span.
        Assert.Equal(new[] { new TagSpan("PER", 0, 1) }, Spans("I-PER O"));
        // A type change ends a span and starts another, whatever the prefix.
        Assert.Equal(new[] { new TagSpan("PER", 0, 1), new TagSpan("LOC", 1, 3) }, Spans("B-PER I-LOC I-LOC"));
        Assert.Equal(new[] { new TagSpan("PER", 0, 2), new TagSpan("LOC", 2, 3) }, Spans("I-PER I-PER I-LOC"));
        // B-X after I-X of the same type starts a new span (IOB1's use of B).
        Assert.Equal(new[] { new TagSpan("PER", 0, 2), new TagSpan("PER", 2, 3) }, Spans("I-PER I-PER B-PER", TagScheme.Iob1));
    }

    [Fact]
    public void ExtractSpans_Iobes_MappedToIob2First()
    {
        Assert.Equal(new[] { new TagSpan("LOC", 0, 3), new TagSpan("LOC", 3, 4), new TagSpan("PER", 5, 6), new TagSpan("PER", 6, 7) },
            Spans("B-LOC I-LOC E-LOC S-LOC O S-PER S-PER", TagScheme.Iobes));
        // Ill-formed: B-X without its E-X ends at O; E-X after O starts a span, as I-X would.
        Assert.Equal(new[] { new TagSpan("X", 0, 1), new TagSpan("X", 2, 3) }, Spans("B-X O E-X", TagScheme.Iobes));
    }

    [Fact]
    public void Evaluate_HandComputed_TokenAccuracyAndSpanScoresPerTypeAndMicro()
    {
        // Sentence 1: gold PER[0,2) LOC[3,4); predicted PER[0,2) ORG[3,4). Sentence 2: gold LOC[0,2); predicted LOC[0,1).
        // An ill-formed prediction (I-PER I-PER for B-PER I-PER) is the same span and counts as correct.
        var gold = new IReadOnlyList<string>[] { T("B-PER I-PER O B-LOC"), T("B-LOC I-LOC O"), T("B-PER I-PER") };
        var predicted = new IReadOnlyList<string>[] { T("B-PER I-PER O B-ORG"), T("B-LOC O O"), T("I-PER I-PER") };
        var result = ConllSpanEvaluator.Evaluate(gold, predicted, TagScheme.Bio);

        Assert.Equal(9, result.Tokens);
        Assert.Equal(6, result.CorrectTokens); // wrong: B-ORG, O for I-LOC, I-PER for B-PER
        Assert.Equal(6.0 / 9, result.TokenAccuracy, 12);
        Assert.Equal(new SpanScores(4, 4, 2), result.Micro);
        Assert.Equal(0.5, result.Micro.Precision, 12);
        Assert.Equal(0.5, result.Micro.Recall, 12);
        Assert.Equal(0.5, result.Micro.F1, 12);
        Assert.Equal(new[] { "LOC", "ORG", "PER" }, result.PerType.Keys);
        Assert.Equal(new SpanScores(2, 1, 0), result.PerType["LOC"]);
        Assert.Equal(new SpanScores(0, 1, 0), result.PerType["ORG"]);
        Assert.Equal(new SpanScores(2, 2, 2), result.PerType["PER"]);
        Assert.Equal(0.0, result.PerType["LOC"].F1);
        Assert.Equal(0.0, result.PerType["ORG"].Recall); // undefined (no gold ORG) is printed as 0 by conlleval
        Assert.Equal(1.0, result.PerType["PER"].F1, 12);
    }

    [Fact]
    public void Evaluate_UnequalPrecisionAndRecall_F1IsTheHarmonicMean()
    {
        // Gold: X[0,1) X[2,3) Y[4,5); predicted: X[0,1) only. P = 1, R = 1/3, F1 = 2·(1/3)/(4/3) = 1/2.
        var result = ConllSpanEvaluator.Evaluate(new[] { T("B-X O B-X O B-Y") }, new[] { T("B-X O O O O") }, TagScheme.Bio);
        Assert.Equal(1.0, result.Micro.Precision, 12);
        Assert.Equal(1.0 / 3, result.Micro.Recall, 12);
        Assert.Equal(0.5, result.Micro.F1, 12);
    }

    [Fact]
    public void SpansNeverCrossSentences()
    {
        // B-X at the end of one sentence and I-X at the start of the next are two spans.
        var evaluator = new ConllSpanEvaluator(TagScheme.Bio);
        evaluator.Add(T("O B-X"), T("O B-X"));
        evaluator.Add(T("I-X O"), T("O O"));
        Assert.Equal(new SpanScores(2, 1, 1), evaluator.Result().Micro);
    }

    [Fact]
    public void EmptyInput_GivesZeroScoresNotNaN()
    {
        var result = new ConllSpanEvaluator(TagScheme.Bio).Result();
        Assert.Equal(0, result.TokenAccuracy);
        Assert.Equal(0, result.Micro.F1);
    }

    [Fact]
    public void BadInput_NamesTheSentenceTheTagAndTheCounts()
    {
        var evaluator = new ConllSpanEvaluator(TagScheme.Bio);
        evaluator.Add(T("O"), T("O"));
        var ex = Assert.Throws<ArgumentException>(() => evaluator.Add(T("O O O O O O O"), T("O O")));
        Assert.Contains("sentence 1", ex.Message);
        Assert.Contains("7 gold", ex.Message);
        Assert.Contains("2 predicted", ex.Message);
        var bad = Assert.Throws<ArgumentException>(() => ConllSpanEvaluator.ExtractSpans(T("O S-X"), TagScheme.Bio));
        Assert.Contains("tag 1 'S-X'", bad.Message);
        Assert.Throws<ArgumentException>(() => ConllSpanEvaluator.ExtractSpans(T("B-"), TagScheme.Bio));
        Assert.Throws<ArgumentException>(() => ConllSpanEvaluator.Evaluate(new[] { T("O") }, Array.Empty<IReadOnlyList<string>>(), TagScheme.Bio));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConllSpanEvaluator((TagScheme)7));
    }
}
