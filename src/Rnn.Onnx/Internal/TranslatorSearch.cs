using RnnMl.Text;
using RnnMl.Text.Decoding;

namespace RnnMl.Onnx.Internal;

/// <summary>
/// Greedy and beam search over a <see cref="DecoderRun"/>, with the algorithm and tie-breaking of TorchSharp's
/// <c>GreedyDecoder</c> and <c>BeamSearchDecoder</c> (beam search is the same <see cref="BeamSearch"/>). Padding and the
/// begin token are never produced.
/// </summary>
internal static class TranslatorSearch
{
    /// <summary>Greedy decoding: the most probable token at every step, the first maximum winning a tie as torch's max does.</summary>
    public static IReadOnlyList<OnnxDecodedSequence> Greedy(TranslatorGraphs graphs, IReadOnlyList<long[]> sources, DecodingOptions decoding)
    {
        var text = graphs.Text;
        int n = sources.Count;
        using var run = graphs.Start(sources, Enumerable.Range(0, n).ToArray(), out var lengths);
        var limits = lengths.Select(decoding.MaxLength).ToArray();
        int steps = limits.Max(), v = text.TargetVocabulary.Count;
        var tokens = Enumerable.Range(0, n).Select(_ => new List<long>()).ToArray();
        var logProbability = new double[n];
        var finished = new bool[n];
        var previous = Enumerable.Repeat((long)text.BeginId, n).ToArray();
        for (int t = 0; t < steps && !finished.All(f => f); t++)
        {
            var logp = run.Step(previous);
            for (int i = 0; i < n; i++)
            {
                // The first maximum wins a tie, as torch's max.
                int best = -1;
                float bestValue = float.NegativeInfinity;
                for (int k = 0; k < v; k++)
                {
                    if (k == Vocabulary.PaddingId || k == text.BeginId) continue;
                    float x = logp[i * v + k];
                    if (best < 0 || x > bestValue) { best = k; bestValue = x; }
                }
                previous[i] = best;
                if (finished[i]) continue;
                logProbability[i] += bestValue;
                if (best == text.EndId) { finished[i] = true; continue; }
                tokens[i].Add(best);
                if (tokens[i].Count >= limits[i]) finished[i] = true;
            }
            run.Advance(null);
        }
        return Enumerable.Range(0, n).Select(i => new OnnxDecodedSequence(tokens[i].ToArray(), logProbability[i], logProbability[i])).ToArray();
    }

    /// <summary>Beam search over all sentences and beams as one (N·K) batch.</summary>
    public static IReadOnlyList<OnnxDecodedSequence> Beam(TranslatorGraphs graphs, IReadOnlyList<long[]> sources, DecodingOptions decoding)
    {
        // The search is RnnMl.Text's BeamSearch, which TorchSharp's BeamSearchDecoder drives too: same hypotheses, same ties.
        var text = graphs.Text;
        int n = sources.Count, k = decoding.BeamWidth, v = text.TargetVocabulary.Count;
        // The decoder runs the live rows only (local row j is global row live[j]): beam 0 of each sentence at the first
        // step, then K per sentence, or fewer once pruning leaves fewer live, as TorchSharp's BeamSearchDecoder does.
        using var run = graphs.Start(sources, Enumerable.Range(0, n).ToArray(), out var lengths);
        var search = BeamSearch.Start(lengths.Select(decoding.MaxLength).ToArray(), v, text.BeginId, text.EndId, decoding);
        int c = search.CandidatesPerRow;
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        var live = Enumerable.Range(0, n).Select(i => i * k).ToArray();
        while (!search.Done)
        {
            var logp = run.Step(live.Select(r => search.Previous[r]).ToArray());
            for (int j = 0; j < live.Length; j++)
            {
                int r = live[j];
                BeamSearch.TopTokens(logp.AsSpan(j * v, v), text.BeginId, values.AsSpan(r * c, c), tokens.AsSpan(r * c, c));
            }
            search.Advance(values, tokens);
            var (nextLive, from) = search.LiveRows(live);
            if (nextLive.Length == 0) break;
            live = nextLive;
            run.Advance(from);
        }
        return search.Results().Select(h => new OnnxDecodedSequence(h.Tokens, h.LogProbability, h.Score)).ToArray();
    }
}
