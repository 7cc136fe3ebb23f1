namespace RnnMl.Text.Internal;

/// <summary>
/// Learns byte-pair merges (Sennrich et al. 2016) from word counts with incremental pair counts: each merge updates only
/// the words that hold the merged pair, and the best pair comes from a priority queue with stale entries skipped, so a
/// merge costs the length of the words it touches, not a recount of the corpus.
/// </summary>
/// <remarks>
/// A word's symbols start as its text elements (user-perceived characters, as <see cref="TokenizerKind.Character"/>
/// cuts them), the last one carrying <see cref="SubwordModel.EndOfWordMarker"/>. Each step merges the pair with the
/// highest count (a pair seen k times in a word of count c adds k·c); ties go to the pair whose left symbol, then right
/// symbol, comes first in ordinal string order. Occurrences within a word are merged left to right.
/// </remarks>
internal static class SubwordLearner
{
    /// <summary>The learned alphabet (kept initial symbols by falling count, ties in ordinal order), the merges in order,
    /// and why learning stopped before the target (null when it was reached).</summary>
    public static (List<string> Alphabet, List<(string Left, string Right)> Merges, string? StopReason) Learn(
        IReadOnlyDictionary<string, long> wordCounts, int vocabularySize, int minPairCount)
    {
        var names = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string s)
        {
            if (ids.TryGetValue(s, out int id)) return id;
            ids[s] = names.Count;
            names.Add(s);
            return names.Count - 1;
        }

        var words = wordCounts.Where(kv => kv.Key.Length > 0 && kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        var sequences = new List<int>[words.Length];
        var symbolCounts = new Dictionary<int, long>();
        for (int w = 0; w < words.Length; w++)
        {
            var symbols = SubwordModel.InitialSymbols(words[w].Key).Select(Id).ToList();
            sequences[w] = symbols;
            foreach (int s in symbols) symbolCounts[s] = symbolCounts.GetValueOrDefault(s) + words[w].Value;
        }
        var alphabet = symbolCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => names[kv.Key], StringComparer.Ordinal).Select(kv => kv.Key).ToList();
        // Beyond the target, the rarest initial symbols are left out of the vocabulary and never merged.
        var frozen = new HashSet<int>(alphabet.Skip(vocabularySize));
        if (frozen.Count > 0) alphabet = alphabet.Take(vocabularySize).ToList();
        var known = new HashSet<string>(alphabet.Select(a => names[a]), StringComparer.Ordinal);

        var pairCounts = new Dictionary<long, long>();
        var where = new Dictionary<long, HashSet<int>>();
        var comparer = Comparer<(long Count, long Key)>.Create((x, y) =>
        {
            int c = y.Count.CompareTo(x.Count);
            if (c != 0) return c;
            c = string.CompareOrdinal(names[Left(x.Key)], names[Left(y.Key)]);
            return c != 0 ? c : string.CompareOrdinal(names[Right(x.Key)], names[Right(y.Key)]);
        });
        var queue = new PriorityQueue<long, (long Count, long Key)>(comparer);
        var delta = new Dictionary<long, long>();
        for (int w = 0; w < words.Length; w++) AddPairs(w, +1);
        foreach (var (key, count) in pairCounts) queue.Enqueue(key, (count, key));

        var merges = new List<(string, string)>();
        string? stop = null;
        while (known.Count < vocabularySize)
        {
            long best = -1, bestCount = 0;
            while (queue.TryDequeue(out long key, out var entry))
            {
                if (pairCounts.GetValueOrDefault(key) != entry.Count || entry.Count <= 0) continue;   // stale entry
                (best, bestCount) = (key, entry.Count);
                break;
            }
            if (best < 0 || bestCount < minPairCount)
            {
                stop = $"every pair of adjacent symbols occurs fewer than {minPairCount} times after {merges.Count} merges ({known.Count} subword tokens)";
                break;
            }
            int a = Left(best), b = Right(best);
            string merged = names[a] + names[b];
            int m = Id(merged);
            known.Add(merged);
            merges.Add((names[a], names[b]));
            delta.Clear();
            foreach (int w in where[best].ToArray())
            {
                var seq = sequences[w];
                if (!Holds(seq, a, b)) continue;
                AddPairs(w, -1);
                var next = new List<int>(seq.Count);
                for (int i = 0; i < seq.Count; i++)
                {
                    if (i + 1 < seq.Count && seq[i] == a && seq[i + 1] == b) { next.Add(m); i++; }
                    else next.Add(seq[i]);
                }
                sequences[w] = next;
                AddPairs(w, +1);
            }
            foreach (var (key, d) in delta)
                if (d != 0 && pairCounts.GetValueOrDefault(key) > 0) queue.Enqueue(key, (pairCounts[key], key));
        }
        return (alphabet.Select(a => names[a]).ToList(), merges, stop);

        void AddPairs(int w, int sign)
        {
            var seq = sequences[w];
            long c = words[w].Value * sign;
            for (int i = 0; i + 1 < seq.Count; i++)
            {
                if (frozen.Contains(seq[i]) || frozen.Contains(seq[i + 1])) continue;
                long key = ((long)seq[i] << 32) | (uint)seq[i + 1];
                pairCounts[key] = pairCounts.GetValueOrDefault(key) + c;
                delta[key] = delta.GetValueOrDefault(key) + c;
                if (sign > 0)
                {
                    if (!where.TryGetValue(key, out var set)) where[key] = set = [];
                    set.Add(w);
                }
            }
        }
    }

    private static int Left(long key) => (int)(key >> 32);

    private static int Right(long key) => (int)(uint)key;

    private static bool Holds(List<int> seq, int a, int b)
    {
        for (int i = 0; i + 1 < seq.Count; i++)
            if (seq[i] == a && seq[i + 1] == b) return true;
        return false;
    }

    /// <summary>Counts the words of <paramref name="texts"/> as <paramref name="wordTokenizer"/> cuts them.</summary>
    public static Dictionary<string, long> CountWords(IEnumerable<string?> texts, Tokenizer wordTokenizer)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in wordTokenizer.Tokenize(text))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        return counts;
    }
}
