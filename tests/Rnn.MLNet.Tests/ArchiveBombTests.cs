using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Xunit.Abstractions;

namespace RnnMl.MLNet.Tests;

/// <summary>A model zip whose weights.bin is 1 GiB of zeros (about 1 MB compressed): rejected by name in little memory
/// and time (on main it cost 3.3 GB RSS and 16 s, 3 GiB ended in IOException "Stream was too long").</summary>
public class ArchiveBombTests(ITestOutputHelper output)
{
    private const long Bomb = 1L << 30;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadRnnModel_WeightsReplacedByOneGibibyteOfZeros_ThrowsNamingTheEntryInUnder100MB(bool manifestDeclaresLengths)
    {
        DisposalTests.WithTempFolder(folder =>
        {
            var ml = new MLContext(seed: 1);
            var good = Path.Combine(folder, "good.zip");
            using (var model = DisposalTests.Classifier()) ml.Model.SaveRnnModel(model, null, good);
            var bomb = Path.Combine(folder, "bomb.zip");
            WriteBomb(good, bomb, manifestDeclaresLengths);
            Assert.InRange(new FileInfo(bomb).Length, 1, 16L << 20);

            GC.Collect();
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            using var sampler = new PeakSampler();
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<InvalidDataException>(() => ml.Model.LoadRnnModel(bomb, out _));
            clock.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            long peak = sampler.Stop();

            output.WriteLine($"manifest lengths {manifestDeclaresLengths}: {e.Message}");
            output.WriteLine($"rejected in {clock.Elapsed.TotalSeconds:F2} s; managed allocations {allocated / 1e6:F1} MB; peak working set {peak / 1e6:F1} MB above baseline");
            Assert.Contains("RnnMl/000/weights.bin", e.Message);
            Assert.InRange(allocated, 0, 100_000_000);
            Assert.InRange(peak, long.MinValue, 100_000_000);
        });
    }

    [Fact]
    public void LoadRnnModel_EntryLongerThanTheManifestDeclares_ThrowsNamingTheEntryAndBothLengths()
    {
        DisposalTests.WithTempFolder(folder =>
        {
            var ml = new MLContext(seed: 1);
            var good = Path.Combine(folder, "good.zip");
            using (var model = DisposalTests.Classifier()) ml.Model.SaveRnnModel(model, null, good);
            using (var zip = ZipFile.Open(good, ZipArchiveMode.Update))
            {
                var manifest = JsonNode.Parse(Read(zip, "RnnMl/manifest.json"))!;
                var declared = (long)manifest["Lengths"]!["RnnMl/000/vocabulary.json"]!;
                manifest["Lengths"]!["RnnMl/000/vocabulary.json"] = declared - 1;
                Write(zip, "RnnMl/manifest.json", manifest.ToJsonString());
                var e = Assert.Throws<InvalidDataException>(() => { zip.Dispose(); ml.Model.LoadRnnModel(good, out _); });
                Assert.Contains("'RnnMl/000/vocabulary.json'", e.Message);
                Assert.Contains($"{declared}", e.Message);
                Assert.Contains($"{declared - 1}", e.Message);
            }
        });
    }

    /// <summary>Copies <paramref name="source"/> with weights.bin replaced by 1 GiB of zeros, streamed (fast, little memory).</summary>
    private static void WriteBomb(string source, string target, bool keepLengths)
    {
        using var from = ZipFile.OpenRead(source);
        using var file = new FileStream(target, FileMode.CreateNew);
        using var to = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var entry in from.Entries)
        {
            using var write = to.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
            if (entry.FullName == "RnnMl/000/weights.bin")
            {
                var zeros = new byte[1 << 20];
                for (long written = 0; written < Bomb; written += zeros.Length) write.Write(zeros);
            }
            else if (entry.FullName == "RnnMl/manifest.json" && !keepLengths)
            {
                // A manifest as written before entry lengths were declared: only the ceiling caps the entry.
                var manifest = JsonNode.Parse(Read(from, entry.FullName))!.AsObject();
                manifest.Remove("Lengths");
                write.Write(System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            }
            else
            {
                using var read = entry.Open();
                read.CopyTo(write);
            }
        }
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    private static void Write(ZipArchive zip, string name, string text)
    {
        zip.GetEntry(name)!.Delete();
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(text);
    }

    /// <summary>Samples the process's working set every 5 ms; <see cref="Stop"/> returns the peak above the starting value.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly long baseline = Current();
        private readonly Thread thread;
        private volatile bool running = true;
        private long peak;

        public PeakSampler()
        {
            peak = baseline;
            thread = new Thread(() => { while (running) { peak = Math.Max(peak, Current()); Thread.Sleep(5); } }) { IsBackground = true };
            thread.Start();
        }

        public long Stop()
        {
            running = false;
            thread.Join();
            peak = Math.Max(peak, Current());
            return peak - baseline;
        }

        public void Dispose() => running = false;

        private static long Current()
        {
            using var p = Process.GetCurrentProcess();
            return p.WorkingSet64;
        }
    }
}
