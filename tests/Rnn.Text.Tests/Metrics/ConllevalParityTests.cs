using RnnMl.Text.Metrics;
using RnnMl.Text.Tagging;

namespace RnnMl.Text.Tests.Metrics;

/// <summary>
/// <see cref="ConllSpanEvaluator"/> (span sets) against a line-by-line port of conlleval.pl's counting loop (its
/// <c>inCorrect</c> state machine, endOfChunk and startOfChunk), on random and mostly ill-formed BIO sequences.
/// </summary>
public class ConllevalParityTests
{
    private sealed class Conlleval
    {
        public long CorrectChunk, FoundCorrect, FoundGuessed, CorrectTags, Tokens;
        public readonly Dictionary<string, long[]> PerType = new(); // correct, foundCorrect, foundGuessed
        private bool inCorrect;
        private string lastCorrect = "O", lastGuessed = "O", lastCorrectType = "", lastGuessedType = "";

        private static (string, string) Split(string tag)
        {
            int h = tag.IndexOf('-');
            return h < 0 ? (tag, "") : (tag[..h], tag[(h + 1)..]);
        }

        private static bool EndOfChunk(string prevTag, string tag, string prevType, string type)
            => (prevTag == "B" && tag == "B") || (prevTag == "B" && tag == "O") || (prevTag == "I" && tag == "B") || (prevTag == "I" && tag == "O")
            || (prevTag == "E" && tag == "E") || (prevTag == "E" && tag == "I") || (prevTag == "E" && tag == "O")
            || (prevTag != "O" && prevTag != "." && prevType != type) || prevTag == "]" || prevTag == "[";

        private static bool StartOfChunk(string prevTag, string tag, string prevType, string type)
            => (prevTag == "B" && tag == "B") || (prevTag == "I" && tag == "B") || (prevTag == "O" && tag == "B") || (prevTag == "O" && tag == "I")
            || (prevTag == "E" && tag == "E") || (prevTag == "E" && tag == "I") || (prevTag == "O" && tag == "E")
            || (tag != "O" && tag != "." && prevType != type) || tag == "[" || tag == "]";

        private long[] Type(string t) => PerType.TryGetValue(t, out var c) ? c : PerType[t] = new long[3];

        public void Line(string correctTag, string guessedTag, bool boundary)
        {
            var (correct, correctType) = Split(correctTag);
            var (guessed, guessedType) = Split(guessedTag);
            bool endCorrect = EndOfChunk(lastCorrect, correct, lastCorrectType, correctType);
            bool endGuessed = EndOfChunk(lastGuessed, guessed, lastGuessedType, guessedType);
            bool startCorrect = StartOfChunk(lastCorrect, correct, lastCorrectType, correctType);
            bool startGuessed = StartOfChunk(lastGuessed, guessed, lastGuessedType, guessedType);
            if (inCorrect)
            {
                if (endCorrect && endGuessed && lastGuessedType == lastCorrectType)
                {
                    inCorrect = false;
                    CorrectChunk++;
                    Type(lastCorrectType)[0]++;
                }
                else if (endCorrect != endGuessed || guessedType != correctType) inCorrect = false;
            }
            if (startCorrect && startGuessed && guessedType == correctType) inCorrect = true;
            if (startCorrect) { FoundCorrect++; Type(correctType)[1]++; }
            if (startGuessed) { FoundGuessed++; Type(guessedType)[2]++; }
            if (!boundary)
            {
                if (correct == guessed && guessedType == correctType) CorrectTags++;
                Tokens++;
            }
            (lastGuessed, lastCorrect, lastGuessedType, lastCorrectType) = (guessed, correct, guessedType, correctType);
        }
    }

    [Fact]
    public void RandomIllFormedSequences_CountsEqualConllevalsStateMachine()
    {
        string[] tags = { "O", "B-A", "I-A", "B-B", "I-B", "I-C" };
        var random = new Random(5);
        var reference = new Conlleval();
        var evaluator = new ConllSpanEvaluator(TagScheme.Bio);
        for (int s = 0; s < 3000; s++)
        {
            int length = random.Next(0, 9);
            var gold = Enumerable.Range(0, length).Select(_ => tags[random.Next(tags.Length)]).ToArray();
            // Predictions agree with gold often, so that correct spans are common.
            var predicted = gold.Select(g => random.NextDouble() < 0.7 ? g : tags[random.Next(tags.Length)]).ToArray();
            for (int t = 0; t < length; t++) reference.Line(gold[t], predicted[t], boundary: false);
            reference.Line("O", "O", boundary: true); // conlleval's empty line
            evaluator.Add(gold, predicted);
        }
        var result = evaluator.Result();
        Assert.True(reference.CorrectChunk > 1000, $"only {reference.CorrectChunk} correct chunks: a weak test");
        Assert.Equal(new SpanScores(reference.FoundCorrect, reference.FoundGuessed, reference.CorrectChunk), result.Micro);
        Assert.Equal(reference.Tokens, result.Tokens);
        Assert.Equal(reference.CorrectTags, result.CorrectTokens);
        Assert.Equal(reference.PerType.Keys.OrderBy(k => k, StringComparer.Ordinal), result.PerType.Keys);
        foreach (var (type, c) in reference.PerType)
            Assert.Equal(new SpanScores(c[1], c[2], c[0]), result.PerType[type]);
    }
}
