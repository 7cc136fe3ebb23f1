using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Tests;

/// <summary>SaveRnnModel / LoadRnnModel: exact round trips (in this process and a fresh one), the refusals of ML.NET's own
/// Save and Load, corrupt and missing files, atomic saving, and chains of every shape.</summary>
public class RnnModelOperationsTests : IClassFixture<BinaryModelFixture>, IClassFixture<MulticlassModelFixture>
{
    private const string WeightsEntry = "RnnMl/000/weights.bin";

    private readonly BinaryModelFixture binary;
    private readonly MulticlassModelFixture multiclass;

    public RnnModelOperationsTests(BinaryModelFixture binary, MulticlassModelFixture multiclass)
    {
        this.binary = binary;
        this.multiclass = multiclass;
    }

    // ---------------------------------------------------------------- exact round trips

    [Fact]
    public void SaveThenLoad_BinaryPipelineWithTransformsBeforeAndAfter_GivesBitwiseIdenticalOutput()
    {
        var ml = binary.Ml;
        var chain = BinaryPipeline();
        var before = chain.Transform(binary.Test);

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "binary.zip");
            ml.Model.SaveRnnModel(chain, binary.Test.Schema, path);
            var loaded = new MLContext(seed: 2).Model.LoadRnnModel(path, out var inputSchema);
            var after = loaded.Transform(binary.Test);

            Assert.Equal(TextDataViewType.Instance, inputSchema["Text"].Type);
            Assert.Equal(BooleanDataViewType.Instance, inputSchema["Label"].Type);
            foreach (var column in new[] { "Score", "Probability", "ScoreCopy" })
                Assert.Equal(Columns.Bits(Columns.Read<float>(before, column)), Columns.Bits(Columns.Read<float>(after, column)));
            Assert.Equal(Columns.Read<bool>(before, "PredictedLabel"), Columns.Read<bool>(after, "PredictedLabel"));
        });
    }

    [Fact]
    public void SaveThenLoad_MulticlassPipelineWithTransformsBeforeAndAfter_GivesBitwiseIdenticalOutputAndKeepsTypes()
    {
        var ml = multiclass.Ml;
        var raw = ml.Data.LoadFromEnumerable(multiclass.TestRows);
        var chain = MulticlassPipeline(withKeyMapper: true);
        var before = chain.Transform(raw);

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "multiclass.zip");
            ml.Model.SaveRnnModel(chain, raw.Schema, path);
            var after = new MLContext(seed: 2).Model.LoadRnnModel(path, out _).Transform(raw);

            Assert.Equal(before.Schema["Score"].Type, after.Schema["Score"].Type);
            Assert.Equal(before.Schema["PredictedLabel"].Type, after.Schema["PredictedLabel"].Type);
            Assert.True(after.Schema["PredictedLabel"].HasKeyValues(), "the reloaded PredictedLabel lost its KeyValues");
            var beforeScores = Columns.ReadVectors(before, "Score");
            var afterScores = Columns.ReadVectors(after, "Score");
            Assert.Equal(beforeScores.Length, afterScores.Length);
            for (int i = 0; i < beforeScores.Length; i++)
                Assert.Equal(Columns.Bits(beforeScores[i]), Columns.Bits(afterScores[i]));
            Assert.Equal(Columns.Read<uint>(before, "PredictedLabel"), Columns.Read<uint>(after, "PredictedLabel"));
            Assert.Equal(Columns.ReadStrings(before, "PredictedTopic"), Columns.ReadStrings(after, "PredictedTopic"));
        });
    }

    [Fact]
    public void SaveThenLoad_PredictionEngineOnTheChain_GivesBitwiseIdenticalPredictions()
    {
        var ml = binary.Ml;
        var chain = BinaryPipeline();
        var rows = binary.TestRows.Take(30).Select(r => new ToyData.TextRow { Text = r.Text }).ToArray();
        var engine = ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(chain);
        var before = rows.Select(engine.Predict).Select(p => (p.Score, p.Probability, p.PredictedLabel)).ToArray();

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "binary.zip");
            ml.Model.SaveRnnModel(chain, binary.Test.Schema, path);
            var loaded = ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(ml.Model.LoadRnnModel(path, out _));
            var after = rows.Select(loaded.Predict).Select(p => (p.Score, p.Probability, p.PredictedLabel)).ToArray();

            Assert.Equal(Columns.Bits(before.Select(p => p.Score)), Columns.Bits(after.Select(p => p.Score)));
            Assert.Equal(Columns.Bits(before.Select(p => p.Probability)), Columns.Bits(after.Select(p => p.Probability)));
            Assert.Equal(before.Select(p => p.PredictedLabel), after.Select(p => p.PredictedLabel));
        });
    }

    [Theory]
    [InlineData(ClassificationKind.Binary)]
    [InlineData(ClassificationKind.Multiclass)]
    public void LoadRnnModel_InAFreshProcess_PrintsBitwiseIdenticalScores(ClassificationKind kind)
    {
        var ml = binary.Ml;
        // The reload check feeds a single Text column, so the saved chains need nothing else.
        var chain = kind == ClassificationKind.Binary ? BinaryPipeline() : MulticlassPipeline(withKeyMapper: false);
        var texts = binary.TestRows.Take(20).Select(r => r.Text)
            .Concat(new[] { "", "zebra quokka" })
            .Concat(multiclass.TestRows.Take(20).Select(r => r.Text)).ToArray();
        var scored = chain.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new ToyData.TextRow { Text = t })));
        var expected = kind == ClassificationKind.Binary
            ? Columns.Read<float>(scored, "Score").Select(R).ToArray()
            : Columns.ReadVectors(scored, "Score").Select(v => string.Join(" ", v.Select(R))).ToArray();

        WithTempFolder(folder =>
        {
            var modelPath = Path.Combine(folder, "model.zip");
            var textsPath = Path.Combine(folder, "texts.txt");
            ml.Model.SaveRnnModel(chain, null, modelPath);
            File.WriteAllLines(textsPath, texts, new UTF8Encoding(false));

            var printed = RunReloadCheck(modelPath, textsPath);

            Assert.Equal(expected, printed);
        });
    }

    // ---------------------------------------------------------------- ML.NET's own Save and Load refuse

    [Fact]
    public void PlainSave_OnAChainWithAnRnnTransformer_ThrowsNamingSaveRnnModel()
    {
        var chain = BinaryPipeline();
        using var stream = new MemoryStream();

        var e = Assert.Throws<InvalidOperationException>(() => binary.Ml.Model.Save(chain, binary.Test.Schema, stream));

        Assert.Contains("SaveRnnModel", e.Message);
    }

    [Fact]
    public void PlainLoad_OnAnRnnModelFile_ThrowsWithTheInnermostMessageNamingLoadRnnModel()
    {
        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "model.zip");
            binary.Ml.Model.SaveRnnModel(BinaryPipeline(), binary.Test.Schema, path);

            var e = Assert.ThrowsAny<Exception>(() => new MLContext(seed: 2).Model.Load(path, out _));

            var innermost = Innermost(e);
            Assert.IsType<InvalidOperationException>(innermost);
            Assert.Contains("LoadRnnModel", innermost.Message);
            // The outer exception is ML.NET's reflection wrapper ("Exception has been thrown by the target of an
            // invocation"), raised by ML.NET's loader around the placeholder factory: the library cannot change it.
            Assert.IsType<System.Reflection.TargetInvocationException>(e);
        });
    }

    [Fact]
    public void PlainSaveToAFile_OverAnExistingFile_FailsNamingSaveRnnModel()
    {
        // ML.NET's Model.Save(model, schema, path) creates (truncates) the file before any RnnMl code runs, so the
        // library cannot keep the old file: this documents the behaviour (README, "Saving") and the message.
        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "model.zip");
            File.WriteAllText(path, "an older model");
            var e = Assert.Throws<InvalidOperationException>(() => binary.Ml.Model.Save(BinaryPipeline(), binary.Test.Schema, path));
            Assert.Contains("SaveRnnModel", e.Message);
            Assert.NotEqual("an older model", File.ReadAllText(path));
        });
    }

    // ---------------------------------------------------------------- corrupt and missing files

    [Fact]
    public void LoadRnnModel_TruncatedFile_ThrowsInvalidDataException()
    {
        var e = LoadCorrupted(path =>
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        }, out var path);

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void LoadRnnModel_WeightsEntryRewrittenWithAFlippedByte_FailsTheChecksum()
    {
        var e = LoadCorrupted(path =>
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            var entry = zip.GetEntry(WeightsEntry)!;
            byte[] bytes;
            using (var s = entry.Open())
            using (var m = new MemoryStream())
            {
                s.CopyTo(m);
                bytes = m.ToArray();
            }
            bytes[bytes.Length / 2] ^= 0x5A;
            entry.Delete();
            using var w = zip.CreateEntry(WeightsEntry).Open();
            w.Write(bytes);
        }, out _);

        Assert.Contains("checksum", e.Message);
        Assert.Contains(WeightsEntry, e.Message);
    }

    [Fact]
    public void LoadRnnModel_ManifestNamingAnUnknownTransformerKind_ThrowsNamingTheKind()
    {
        var e = LoadCorrupted(path =>
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            var entry = zip.GetEntry("RnnMl/manifest.json")!;
            string text;
            using (var r = new StreamReader(entry.Open())) text = r.ReadToEnd();
            Assert.Contains("\"TextClassifier\"", text);
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry("RnnMl/manifest.json").Open());
            w.Write(text.Replace("\"TextClassifier\"", "\"Hologram\""));
        }, out _);

        Assert.Contains("Hologram", e.Message);
        Assert.Contains("TextClassifier", e.Message);
    }

    [Fact]
    public void LoadRnnModel_FlippedByteInsideTheStoredWeights_ThrowsInvalidDataException()
    {
        var e = LoadCorrupted(path =>
        {
            var bytes = File.ReadAllBytes(path);
            var (start, length) = StoredData(bytes, WeightsEntry);
            bytes[start + length / 2] ^= 0x5A;
            File.WriteAllBytes(path, bytes);
        }, out var path);

        Assert.Contains(path, e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void LoadRnnModel_EmptyFile_ThrowsInvalidDataException()
    {
        var e = LoadCorrupted(path => File.WriteAllBytes(path, Array.Empty<byte>()), out var path);

        Assert.Contains(path, e.Message);
        Assert.Contains("not a readable model", e.Message);
    }

    [Fact]
    public void LoadRnnModel_RandomBytes_ThrowsInvalidDataException()
    {
        var e = LoadCorrupted(path =>
        {
            var bytes = new byte[4096];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
        }, out var path);

        Assert.Contains(path, e.Message);
        Assert.Contains("not a readable model", e.Message);
    }

    [Fact]
    public void LoadRnnModel_PlainMLNetModel_ThrowsSayingToUseModelLoad()
    {
        var ml = binary.Ml;
        var plain = ml.Transforms.Text.NormalizeText("Text").Fit(binary.Test);

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "plain.zip");
            ml.Model.Save(plain, binary.Test.Schema, path);

            var e = Assert.Throws<InvalidDataException>(() => ml.Model.LoadRnnModel(path, out _));

            Assert.Contains("mlContext.Model.Load", e.Message);
        });
    }

    [Fact]
    public void LoadRnnModel_MissingFile_ThrowsFileNotFoundException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-missing-{Guid.NewGuid():N}.zip");

        var e = Assert.Throws<FileNotFoundException>(() => binary.Ml.Model.LoadRnnModel(path, out _));

        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void SaveRnnModel_IntoAMissingFolder_ThrowsDirectoryNotFoundException()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"rnnml-missing-{Guid.NewGuid():N}");

        var e = Assert.Throws<DirectoryNotFoundException>(() => binary.Ml.Model.SaveRnnModel(binary.Model, binary.Test.Schema, Path.Combine(folder, "model.zip")));

        Assert.Contains(folder, e.Message);
        Assert.False(Directory.Exists(folder));
    }

    // ---------------------------------------------------------------- atomic save

    [Fact]
    public void SaveRnnModel_FailingPartWay_LeavesThePreviousFileIntactAndNoTempFiles()
    {
        var ml = binary.Ml;
        var oldScores = Columns.Bits(Columns.Read<float>(binary.Model.Transform(binary.Test), "Score"));

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "model.zip");
            ml.Model.SaveRnnModel(binary.Model, binary.Test.Schema, path);
            var oldBytes = File.ReadAllBytes(path);
            // The failing part comes after the RnnMl transformer, so the save fails with the weights already collected.
            var failing = new TransformerChain<ITransformer>(binary.Model, new ThrowingOnSaveTransformer());

            var e = Assert.ThrowsAny<Exception>(() => ml.Model.SaveRnnModel(failing, binary.Test.Schema, path));

            Assert.Contains(Chain(e), x => x is IOException && x.Message == ThrowingOnSaveTransformer.Message);
            Assert.Equal(oldBytes, File.ReadAllBytes(path));
            var reloaded = ml.Model.LoadRnnModel(path, out _);
            Assert.Equal(oldScores, Columns.Bits(Columns.Read<float>(reloaded.Transform(binary.Test), "Score")));
            Assert.Empty(Directory.GetFiles(folder, ".*.tmp"));
            Assert.Equal(new[] { path }, Directory.GetFiles(folder));
        });
    }

    [Fact]
    public void SaveRnnModel_OverAnExistingFile_ReplacesIt()
    {
        var ml = binary.Ml;

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "model.zip");
            ml.Model.SaveRnnModel(multiclass.Model, null, path);
            ml.Model.SaveRnnModel(binary.Model, binary.Test.Schema, path);

            var loaded = ml.Model.LoadRnnModel(path, out _);

            Assert.Equal(NumberDataViewType.Single, loaded.GetOutputSchema(binary.Test.Schema)["Score"].Type);
            Assert.Equal(new[] { path }, Directory.GetFiles(folder));
        });
    }

    // ---------------------------------------------------------------- chain shapes

    [Fact]
    public void SaveThenLoad_NestedChains_GivesBitwiseIdenticalOutput()
    {
        var ml = binary.Ml;
        var normalize = ml.Transforms.Text.NormalizeText("Text").Fit(binary.Test);
        var inner = new TransformerChain<ITransformer>(normalize, binary.Model);
        var copy = ml.Transforms.CopyColumns("ScoreCopy", "Score").Fit(inner.Transform(binary.Test));
        var outer = new TransformerChain<ITransformer>(new TransformerChain<ITransformer>(inner), copy);
        var before = outer.Transform(binary.Test);

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "nested.zip");
            ml.Model.SaveRnnModel(outer, binary.Test.Schema, path);
            var after = ml.Model.LoadRnnModel(path, out _).Transform(binary.Test);

            Assert.Equal(Columns.Bits(Columns.Read<float>(before, "Score")), Columns.Bits(Columns.Read<float>(after, "Score")));
            Assert.Equal(Columns.Bits(Columns.Read<float>(before, "ScoreCopy")), Columns.Bits(Columns.Read<float>(after, "ScoreCopy")));
        });
    }

    [Fact]
    public void SaveThenLoad_TwoRnnTransformersInOneChain_RestoresEachInItsPlace()
    {
        var ml = binary.Ml;
        var data = ml.Data.LoadFromEnumerable(binary.TestRows.Take(50).Select(r => new ToyData.TextRow { Text = r.Text }));
        var copy = ml.Transforms.CopyColumns("BinaryScore", "Score").Fit(binary.Model.Transform(data));
        // The multiclass model comes second and hides the binary Score: swapped transformers would change the schema.
        var chain = new TransformerChain<ITransformer>(binary.Model, copy, multiclass.Model);
        var before = chain.Transform(data);

        WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "two.zip");
            ml.Model.SaveRnnModel(chain, data.Schema, path);
            var after = ml.Model.LoadRnnModel(path, out _).Transform(data);

            Assert.Equal(NumberDataViewType.Single, after.Schema["BinaryScore"].Type);
            Assert.IsType<VectorDataViewType>(after.Schema["Score"].Type);
            Assert.Equal(Columns.Bits(Columns.Read<float>(before, "BinaryScore")), Columns.Bits(Columns.Read<float>(after, "BinaryScore")));
            Assert.Equal(Columns.ReadVectors(before, "Score").Select(Columns.Bits), Columns.ReadVectors(after, "Score").Select(Columns.Bits));
        });
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>NormalizeText → binary model → CopyColumns(ScoreCopy ← Score).</summary>
    private TransformerChain<ITransformer> BinaryPipeline()
    {
        var ml = binary.Ml;
        var normalize = ml.Transforms.Text.NormalizeText("Text").Fit(binary.Test);
        var copy = ml.Transforms.CopyColumns("ScoreCopy", "Score").Fit(binary.Model.Transform(normalize.Transform(binary.Test)));
        return new TransformerChain<ITransformer>(normalize, binary.Model, copy);
    }

    /// <summary>[MapValueToKey(Label ← Topic) →] multiclass model → MapKeyToValue(PredictedTopic ← PredictedLabel).</summary>
    private TransformerChain<ITransformer> MulticlassPipeline(bool withKeyMapper)
    {
        var ml = multiclass.Ml;
        var toValue = ml.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel").Fit(multiclass.Model.Transform(multiclass.Test));
        return withKeyMapper
            ? new TransformerChain<ITransformer>(multiclass.KeyMapper, multiclass.Model, toValue)
            : new TransformerChain<ITransformer>(multiclass.Model, toValue);
    }

    /// <summary>Saves the binary model, damages the file, and expects LoadRnnModel to refuse it with an InvalidDataException.</summary>
    private InvalidDataException LoadCorrupted(Action<string> damage, out string path)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"rnnml-ops-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        path = Path.Combine(folder, "model.zip");
        try
        {
            binary.Ml.Model.SaveRnnModel(binary.Model, binary.Test.Schema, path);
            damage(path);
            var file = path;
            return Assert.Throws<InvalidDataException>(() => new MLContext(seed: 2).Model.LoadRnnModel(file, out _));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Where an entry's stored (compressed) bytes are in a zip file, read from its central directory.</summary>
    private static (int Start, int Length) StoredData(byte[] zip, string entryName)
    {
        var name = Encoding.UTF8.GetBytes(entryName);
        // End of central directory: signature 0x06054b50, then the directory's offset at +16.
        int eocd = zip.Length - 22;
        while (eocd >= 0 && BitConverter.ToUInt32(zip, eocd) != 0x06054b50) eocd--;
        Assert.True(eocd >= 0, "no end of central directory record");
        int p = (int)BitConverter.ToUInt32(zip, eocd + 16);
        while (BitConverter.ToUInt32(zip, p) == 0x02014b50)
        {
            int compressed = (int)BitConverter.ToUInt32(zip, p + 20);
            int nameLength = BitConverter.ToUInt16(zip, p + 28), extraLength = BitConverter.ToUInt16(zip, p + 30), commentLength = BitConverter.ToUInt16(zip, p + 32);
            int local = (int)BitConverter.ToUInt32(zip, p + 42);
            if (zip.AsSpan(p + 46, nameLength).SequenceEqual(name))
            {
                int start = local + 30 + BitConverter.ToUInt16(zip, local + 26) + BitConverter.ToUInt16(zip, local + 28);
                return (start, compressed);
            }
            p += 46 + nameLength + extraLength + commentLength;
        }
        throw new Xunit.Sdk.XunitException($"no entry '{entryName}' in the zip");
    }

    /// <summary>Runs tests/Rnn.MLNet.ReloadCheck (built before this project) in a new process and returns its output lines.</summary>
    internal static string[] RunReloadCheck(string modelPath, string textsPath, params string[] options)
    {
        // This assembly is in tests/Rnn.MLNet.Tests/bin/<config>/<tfm>/; the reload check is built to the same config and tfm.
        var here = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var tfm = Path.GetFileName(here);
        var config = Path.GetFileName(Path.GetDirectoryName(here)!);
        var dll = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", "Rnn.MLNet.ReloadCheck", "bin", config, tfm, "Rnn.MLNet.ReloadCheck.dll"));
        Assert.True(File.Exists(dll), $"the reload check is not built at {dll}");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(modelPath);
        start.ArgumentList.Add(textsPath);
        foreach (var option in options) start.ArgumentList.Add(option);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the reload check did not finish within 2 minutes");
        }
        Assert.True(process.ExitCode == 0, $"the reload check exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static string R(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    internal static void WithTempFolder(Action<string> test)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"rnnml-ops-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try { test(folder); }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>A pass-through transformer whose Save fails, to interrupt a save part-way.</summary>
    private sealed class ThrowingOnSaveTransformer : ITransformer
    {
        public const string Message = "simulated failure while saving";

        public bool IsRowToRowMapper => false;
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();
        public IDataView Transform(IDataView input) => input;
        public void Save(ModelSaveContext ctx) => throw new IOException(Message);
    }
}
