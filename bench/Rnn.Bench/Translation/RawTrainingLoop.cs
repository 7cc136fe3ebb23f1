using System.Diagnostics;
using RnnMl.Text;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench.Translation;

/// <summary>
/// Training speed on the same batches, two ways, interleaved: a raw TorchSharp loop (forward to the full (N, T, V) logits,
/// cross_entropy with ignore_index, backward, Adam) and RnnMl's <see cref="Seq2SeqTrainingTask"/> loss (real positions
/// only, chunked) with the same backward and Adam. Reports target tokens/s and minor page faults per batch of each.
/// </summary>
internal static class RawTrainingLoop
{
    public static void Run(Seq2SeqOptions shape, Vocabulary sourceVocabulary, Vocabulary targetVocabulary,
        IReadOnlyList<(string Source, string Target)> pairs, int batchSize, int batches, int seed)
    {
        var tokenizer = Tokenizer.Create(TokenizerKind.Word);
        long[] Encode(Vocabulary vocabulary, string text) => tokenizer.Tokenize(text).Take(100).Select(t => (long)vocabulary.IdOf(t)).ToArray();
        var sources = pairs.Select(p => Encode(sourceVocabulary, p.Source)).ToList();
        var targets = pairs.Select(p => Encode(targetVocabulary, p.Target)).ToList();
        var keep = Enumerable.Range(0, sources.Count).Where(i => sources[i].Length > 0).ToArray();
        sources = keep.Select(i => sources[i]).ToList();
        targets = keep.Select(i => targets[i]).ToList();
        var lengths = sources.Select((s, i) => Math.Max(s.Length, targets[i].Length)).ToArray();
        var chosen = LengthBucketing.Batches(lengths, batchSize, new Random(seed)).Take(batches).ToArray();
        long tokens = chosen.Sum(rows => rows.Sum(r => (long)targets[r].Length + 1));

        manual_seed(seed);
        using var raw = Seq2SeqModel.Create(shape);
        manual_seed(seed);
        using var library = Seq2SeqModel.Create(shape);
        raw.train();
        library.train();
        using var rawAdam = optim.Adam(raw.parameters(), 2e-3);
        using var libraryAdam = optim.Adam(library.parameters(), 2e-3);
        var task = new Seq2SeqTrainingTask(library, sources, targets, Array.Empty<long[]>(), Array.Empty<long[]>(), batchSize);

        void RawBatch(int[] rows)
        {
            using var scope = NewDisposeScope();
            rawAdam.zero_grad();
            var (source, sourceLengths) = TokenBatch.Pad(rows.Select(r => sources[r]).ToList());
            var (input, output) = Seq2SeqTrainingTask.TeacherForcing(rows.Select(r => targets[r]).ToList(), shape.BeginId, shape.EndId);
            var logits = raw.forward(source, sourceLengths, input);
            var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), output.flatten(), ignore_index: Vocabulary.PaddingId);
            loss.backward();
            rawAdam.step();
        }

        void LibraryBatch(int[] rows)
        {
            using var scope = NewDisposeScope();
            libraryAdam.zero_grad();
            task.Evaluate(new ExampleBatch(false, rows), training: true).Loss.backward();
            libraryAdam.step();
        }

        // Warm-up, then two interleaved rounds of each; the faster round of each counts.
        RawBatch(chosen[0]);
        LibraryBatch(chosen[0]);
        double rawSeconds = double.MaxValue, librarySeconds = double.MaxValue, rawFaults = double.MaxValue, libraryFaults = double.MaxValue;
        for (int round = 0; round < 2; round++)
        {
            foreach (var (body, isRaw) in new (Action<int[]>, bool)[] { (RawBatch, true), (LibraryBatch, false) })
            {
                long faults = MinorFaults();
                var clock = Stopwatch.StartNew();
                foreach (var rows in chosen) body(rows);
                double seconds = clock.Elapsed.TotalSeconds;
                double perBatch = (MinorFaults() - faults) / (double)chosen.Length;
                if (isRaw) { rawSeconds = Math.Min(rawSeconds, seconds); rawFaults = Math.Min(rawFaults, perBatch); }
                else { librarySeconds = Math.Min(librarySeconds, seconds); libraryFaults = Math.Min(libraryFaults, perBatch); }
            }
        }
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"same {chosen.Length} batches ({tokens} target tokens): raw TorchSharp loop {tokens / rawSeconds:F0} target tokens/s ({rawFaults:F0} page faults/batch), " +
            $"RnnMl loss {tokens / librarySeconds:F0} target tokens/s ({libraryFaults:F0} page faults/batch); ratio {rawSeconds / librarySeconds:F2}"));
    }

    // Minor page faults of this process so far (/proc/self/stat field 10); 0 where /proc is missing.
    private static long MinorFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return 0; }
    }
}
