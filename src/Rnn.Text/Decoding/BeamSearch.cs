namespace RnnMl.Text.Decoding;

/// <summary>
/// The bookkeeping of a batched beam search, independent of the model that scores tokens: TorchSharp's
/// <c>BeamSearchDecoder</c> and ONNX Runtime's <c>OnnxTranslator</c> both drive this class, so they choose the same
/// hypotheses with the same tie-breaking. The caller runs the decoder on every row, hands over each live row's best
/// next tokens (<see cref="Advance"/>) and reorders its decoder state by <see cref="Parents"/>.
/// </summary>
/// <remarks>
/// <para>Shapes: N sentences, K beams, rows r = i·K + b (sentence i, beam b); V target vocabulary; C =
/// <see cref="CandidatesPerRow"/> = min(K + 1, V) (a row has only one end token, so its best K + 1 tokens always hold
/// K continuations).</para>
/// <para>A step: every live row offers its C most probable tokens (ties to the lower token id; padding and the begin
/// token never). A sentence ranks its candidates by summed log-probability (ties to the lower beam·V + token) and walks
/// down the list until it holds K live hypotheses again: an end token met on the way finishes that hypothesis (it is
/// scored by log-probability / length^α, the length counting the end token, and leaves the beam); any other token
/// continues it. A live hypothesis that reaches its length limit is cut off. Finished hypotheses are kept as CPU
/// back-pointers, never as model state, so a search holds only K live rows per sentence.</para>
/// <para>Pruning (<see cref="DecodingOptions"/>; Freitag and Al-Onaizan, 2017), applied during that walk: a candidate whose
/// summed log-probability is below the sentence's best candidate's + ln rp is dropped, and so is every one after it
/// (<see cref="DecodingOptions.RelativeThreshold"/> rp); a hypothesis gives at most mc candidates (ended or not;
/// <see cref="DecodingOptions.MaxCandidatesPerHypothesis"/>); with <see cref="DecodingOptions.ShrinkBeamOnEnd"/> the walk
/// stops at K − (hypotheses ended so far) live ones instead of K, so the beam narrows by one per ended hypothesis. The
/// best candidate is never pruned, so K = 1 stays greedy; with pruning off the search is the one described above.</para>
/// <para>A sentence stops when it has no live hypothesis, or when its best ended score is at least every live hypothesis's
/// best reachable score (its summed log-probability s ≤ 0 can only fall, so s / limit^α bounds what it can still reach),
/// or, sooner, once K hypotheses have ended and the best of them beats what every live hypothesis would score if it
/// ended at the next step for free (s / (length + 1)^α; the early stop of fairseq and Hugging Face). With K = 1 a
/// sentence stops at its first end token. The result is the best-scoring ended hypothesis (ties to the
/// earlier), or, if none ended, the best cut-off one. With K = 1 this is greedy decoding.</para>
/// </remarks>
public sealed class BeamSearch
{
    private readonly int n, k, v;
    private readonly long endId;
    private readonly double alpha;
    private readonly double relativeLog;
    private readonly int perParentLimit;
    private readonly bool shrink;
    private readonly int[] perParent;
    private readonly int[] limits;
    private readonly double[] limitPower;
    private double[] scores;
    private int[] produced;
    private bool[] live;
    private readonly bool[] sentenceDone;
    private readonly int[] endedCount;
    private readonly Finished?[] bestEnded, bestCut;
    private readonly List<(int[] Parents, long[] Tokens)> history = new();
    private readonly List<(double Total, int Flat, int Row, long Token)> candidates = new();

    private BeamSearch(IReadOnlyList<int> limits, int beamWidth, int vocabularySize, long beginId, long endId, double lengthPenalty,
        double relativeThreshold, int maxCandidatesPerHypothesis, bool shrinkOnEnd)
    {
        relativeLog = Math.Log(relativeThreshold);
        perParentLimit = maxCandidatesPerHypothesis == 0 ? int.MaxValue : maxCandidatesPerHypothesis;
        shrink = shrinkOnEnd;
        perParent = new int[beamWidth];
        n = limits.Count;
        k = beamWidth;
        v = vocabularySize;
        this.endId = endId;
        alpha = lengthPenalty;
        this.limits = limits.ToArray();
        limitPower = this.limits.Select(l => Math.Pow(l, alpha)).ToArray();
        int rows = n * k;
        scores = new double[rows];
        produced = new int[rows];
        live = new bool[rows];
        for (int i = 0; i < n; i++) live[i * k] = true;
        sentenceDone = new bool[n];
        endedCount = new int[n];
        bestEnded = new Finished?[n];
        bestCut = new Finished?[n];
        Previous = Enumerable.Repeat(beginId, rows).ToArray();
        Parents = Enumerable.Range(0, rows).ToArray();
    }

    /// <summary>Starts a search; only beam 0 of each sentence is live at first.</summary>
    /// <param name="limits">N length limits (output tokens without the end token), each at least 1.</param>
    /// <param name="beamWidth">K, at least 1.</param>
    /// <param name="vocabularySize">V, at least 3 (padding, begin, end).</param>
    /// <param name="beginId">The begin token: the first input of every row, never a candidate.</param>
    /// <param name="endId">The end token.</param>
    /// <param name="lengthPenalty">α, at least 0.</param>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it and its value.</exception>
    public static BeamSearch Start(IReadOnlyList<int> limits, int beamWidth, int vocabularySize, long beginId, long endId, double lengthPenalty)
    {
        Check(limits, beamWidth, vocabularySize, beginId, endId, lengthPenalty);
        return new BeamSearch(limits, beamWidth, vocabularySize, beginId, endId, lengthPenalty, 0, 0, false);
    }

    private static void Check(IReadOnlyList<int> limits, int beamWidth, int vocabularySize, long beginId, long endId, double lengthPenalty)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.Count == 0) throw new ArgumentException("a beam search needs at least one sentence, got 0", nameof(limits));
        for (int i = 0; i < limits.Count; i++)
            if (limits[i] < 1) throw new ArgumentOutOfRangeException(nameof(limits), limits[i], $"length limits must be at least 1, got {limits[i]} for sentence {i}");
        if (beamWidth < 1) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, $"beam width must be at least 1, got {beamWidth}");
        if (vocabularySize < 3) throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, $"vocabulary size must be at least 3, got {vocabularySize}");
        if (beginId < 0 || beginId >= vocabularySize) throw new ArgumentOutOfRangeException(nameof(beginId), beginId, $"begin id must be in [0, {vocabularySize}), got {beginId}");
        if (endId < 0 || endId >= vocabularySize) throw new ArgumentOutOfRangeException(nameof(endId), endId, $"end id must be in [0, {vocabularySize}), got {endId}");
        if (!(lengthPenalty >= 0) || double.IsInfinity(lengthPenalty))
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), lengthPenalty, $"length penalty must be at least 0 and finite, got {lengthPenalty}");
    }

    /// <summary>Starts a search with the beam width, length penalty and pruning of <paramref name="options"/>.</summary>
    /// <param name="limits">N length limits (output tokens without the end token), each at least 1.</param>
    /// <param name="vocabularySize">V, at least 3 (padding, begin, end).</param>
    /// <param name="beginId">The begin token: the first input of every row, never a candidate.</param>
    /// <param name="endId">The end token.</param>
    /// <param name="options">Beam width, length penalty, <see cref="DecodingOptions.RelativeThreshold"/>,
    /// <see cref="DecodingOptions.MaxCandidatesPerHypothesis"/> and <see cref="DecodingOptions.ShrinkBeamOnEnd"/> (validated here).</param>
    /// <exception cref="ArgumentException">An argument or option is out of range; the message names it and its value.</exception>
    public static BeamSearch Start(IReadOnlyList<int> limits, int vocabularySize, long beginId, long endId, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Check(limits, options.BeamWidth, vocabularySize, beginId, endId, options.LengthPenalty);
        return new BeamSearch(limits, options.BeamWidth, vocabularySize, beginId, endId, options.LengthPenalty,
            options.RelativeThreshold, options.MaxCandidatesPerHypothesis, options.ShrinkBeamOnEnd);
    }

    /// <summary>N·K, the rows the decoder runs every step.</summary>
    public int Rows => n * k;

    /// <summary>C = min(K + 1, V): the tokens each live row offers per step.</summary>
    public int CandidatesPerRow => Math.Min(k + 1, v);

    /// <summary>(N·K) the token each row feeds to the decoder at the next step (padding for rows that are not live).</summary>
    public long[] Previous { get; private set; }

    /// <summary>(N·K) after <see cref="Advance"/>: row j continues the decoder state of row Parents[j].</summary>
    public int[] Parents { get; private set; }

    /// <summary>Live rows summed over the steps taken so far: the rows a decoder that runs only live rows has run.</summary>
    public long LiveRowSteps { get; private set; }

    /// <summary>Steps taken so far.</summary>
    public int Steps => history.Count;

    /// <summary>True when every sentence has stopped.</summary>
    public bool Done => sentenceDone.All(d => d);

    /// <summary>Whether sentence <paramref name="sentence"/> has stopped (its rows need no more decoder steps).</summary>
    public bool IsStopped(int sentence) => sentenceDone[sentence];

    /// <summary>Whether row <paramref name="row"/> holds a live hypothesis (only live rows' candidates are read).</summary>
    public bool IsLive(int row) => live[row];

    /// <summary>
    /// For a decoder that runs only the live rows: after <see cref="Advance"/>, the live rows (ascending) and, for each,
    /// the position in <paramref name="stepped"/> of the row whose decoder state it continues.
    /// </summary>
    /// <param name="stepped">The rows the decoder ran for this step (the live rows before it), ascending.</param>
    public (int[] Live, int[] From) LiveRows(int[] stepped)
    {
        ArgumentNullException.ThrowIfNull(stepped);
        var position = new int[Rows];
        for (int j = 0; j < stepped.Length; j++) position[stepped[j]] = j;
        var rows = new List<int>(stepped.Length);
        var from = new List<int>(stepped.Length);
        for (int r = 0; r < Rows; r++)
        {
            if (!live[r]) continue;
            rows.Add(r);
            from.Add(position[Parents[r]]);
        }
        return (rows.ToArray(), from.ToArray());
    }

    /// <summary>Takes one step.</summary>
    /// <param name="values">(N·K·C) each row's candidate log-probabilities; −∞ marks no candidate. Rows that are not live are ignored.</param>
    /// <param name="tokens">(N·K·C) the candidates' token ids, each row's C most probable by (value desc, id asc) — see <see cref="TopTokens"/>.</param>
    /// <exception cref="ArgumentException">The arrays are not N·K·C long.</exception>
    /// <exception cref="InvalidOperationException">The search is done.</exception>
    public void Advance(ReadOnlySpan<float> values, ReadOnlySpan<long> tokens)
    {
        int c = CandidatesPerRow, rows = Rows;
        if (values.Length != rows * c) throw new ArgumentException($"values must hold N·K·C = {rows * c} entries, got {values.Length}", nameof(values));
        if (tokens.Length != rows * c) throw new ArgumentException($"tokens must hold N·K·C = {rows * c} entries, got {tokens.Length}", nameof(tokens));
        if (Done) throw new InvalidOperationException("the beam search is done");
        int step = history.Count;
        for (int r = 0; r < rows; r++) if (live[r]) LiveRowSteps++;
        var parents = Enumerable.Range(0, rows).ToArray();
        var next = new long[rows];
        var nextScores = new double[rows];
        var nextProduced = new int[rows];
        var nextLive = new bool[rows];
        for (int i = 0; i < n; i++)
        {
            if (sentenceDone[i]) continue;
            candidates.Clear();
            for (int b = 0; b < k; b++)
            {
                int r = i * k + b;
                if (!live[r]) continue;
                for (int j = 0; j < c; j++)
                {
                    float x = values[r * c + j];
                    if (float.IsNegativeInfinity(x) || float.IsNaN(x)) continue;
                    long token = tokens[r * c + j];
                    candidates.Add((scores[r] + x, b * v + (int)token, r, token));
                }
            }
            candidates.Sort(static (a, b) => a.Total != b.Total ? b.Total.CompareTo(a.Total) : a.Flat.CompareTo(b.Flat));
            int filled = 0;
            // Pruning (all off by default): candidates below the best one's log-probability + ln rp are dropped, a
            // hypothesis gives at most mc candidates, and a shrinking beam keeps K − (ended so far) live hypotheses.
            double floor = candidates.Count > 0 ? candidates[0].Total + relativeLog : 0;
            Array.Clear(perParent);
            foreach (var (total, _, r, token) in candidates)
            {
                if (filled >= k - (shrink ? endedCount[i] : 0) || total < floor) break;
                if (perParent[r - i * k]++ >= perParentLimit) continue;
                if (token == endId)
                {
                    endedCount[i]++;
                    Offer(ref bestEnded[i], new Finished(step - 1, r, total, produced[r] + 1, true));
                    continue;
                }
                int slot = i * k + filled++;
                parents[slot] = r;
                next[slot] = token;
                nextScores[slot] = total;
                nextProduced[slot] = produced[r] + 1;
                nextLive[slot] = true;
            }
            for (int b = 0; b < k; b++)
            {
                int slot = i * k + b;
                if (nextLive[slot] && nextProduced[slot] >= limits[i])
                {
                    Offer(ref bestCut[i], new Finished(step, slot, nextScores[slot], nextProduced[slot], false));
                    nextLive[slot] = false;
                }
            }
            if (Stops(i, nextLive, nextScores, nextProduced))
            {
                sentenceDone[i] = true;
                for (int b = 0; b < k; b++) nextLive[i * k + b] = false;
            }
        }
        history.Add((parents, next));
        Parents = parents;
        Previous = next;
        scores = nextScores;
        produced = nextProduced;
        live = nextLive;
    }

    /// <summary>The result of every sentence, in order (call when <see cref="Done"/>, or earlier for the best so far).</summary>
    public BeamHypothesis[] Results()
    {
        var result = new BeamHypothesis[n];
        for (int i = 0; i < n; i++)
        {
            var best = bestEnded[i] ?? bestCut[i];
            if (best is null) { result[i] = new BeamHypothesis(Array.Empty<long>(), double.NegativeInfinity, double.NegativeInfinity, false); continue; }
            var path = new long[best.Length - (best.Ended ? 1 : 0)];
            int row = best.Row;
            for (int t = best.Step; t >= 0; t--)
            {
                path[t] = history[t].Tokens[row];
                row = history[t].Parents[row];
            }
            result[i] = new BeamHypothesis(path, best.LogProbability, best.Score, best.Ended);
        }
        return result;
    }

    /// <summary>
    /// The <paramref name="values"/>.Length most probable tokens of one row of log-probabilities, by value (descending) and
    /// then token id (ascending), never padding (id 0) or <paramref name="beginId"/>; unused places get −∞.
    /// </summary>
    /// <param name="logProbabilities">(V) one row.</param>
    /// <param name="beginId">The begin token.</param>
    /// <param name="values">Out: the C best values.</param>
    /// <param name="tokens">Out: their token ids.</param>
    public static void TopTokens(ReadOnlySpan<float> logProbabilities, long beginId, Span<float> values, Span<long> tokens)
    {
        int c = values.Length, count = 0;
        if (tokens.Length != c) throw new ArgumentException($"tokens must be as long as values ({c}), got {tokens.Length}", nameof(tokens));
        values.Fill(float.NegativeInfinity);
        tokens.Fill(Vocabulary.PaddingId);
        for (int tok = 0; tok < logProbabilities.Length; tok++)
        {
            if (tok == Vocabulary.PaddingId || tok == beginId) continue;
            float x = logProbabilities[tok];
            if (float.IsNaN(x) || float.IsNegativeInfinity(x)) continue;
            if (count == c && !(x > values[c - 1])) continue;
            int pos = count < c ? count++ : c - 1;
            while (pos > 0 && x > values[pos - 1])
            {
                values[pos] = values[pos - 1];
                tokens[pos] = tokens[pos - 1];
                pos--;
            }
            values[pos] = x;
            tokens[pos] = tok;
        }
    }

    private bool Stops(int i, bool[] nextLive, double[] nextScores, int[] nextProduced)
    {
        bool anyLive = false;
        double bound = double.NegativeInfinity, endingNext = double.NegativeInfinity;
        for (int b = 0; b < k; b++)
        {
            int slot = i * k + b;
            if (!nextLive[slot]) continue;
            anyLive = true;
            double s = nextScores[slot];
            bound = Math.Max(bound, s >= 0 ? s : s / limitPower[i]);
            endingNext = Math.Max(endingNext, alpha == 0 ? s : s / Math.Pow(nextProduced[slot] + 1, alpha));
        }
        if (!anyLive) return true;
        if (bestEnded[i] is not { } best) return false;
        // With K = 1 an end token is only kept when it is the step's best candidate: stopping there is greedy decoding.
        if (k == 1) return true;
        return best.Score >= bound || endedCount[i] >= k && best.Score >= endingNext;
    }

    private void Offer(ref Finished? best, Finished candidate)
    {
        candidate.Score = alpha == 0 ? candidate.LogProbability : candidate.LogProbability / Math.Pow(candidate.Length, alpha);
        if (best is null || candidate.Score > best.Score) best = candidate;
    }

    // A finished hypothesis: its last token is history[Step].Tokens[Row] (Step −1: no tokens); Length counts the end token.
    private sealed class Finished(int step, int row, double logProbability, int length, bool ended)
    {
        public int Step { get; } = step;
        public int Row { get; } = row;
        public double LogProbability { get; } = logProbability;
        public int Length { get; } = length;
        public bool Ended { get; } = ended;
        public double Score { get; set; }
    }
}
