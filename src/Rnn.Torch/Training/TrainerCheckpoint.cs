using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// The file that lets <see cref="Trainer"/> resume: run state, model weights, rollback weights and optimizer state,
/// with a fingerprint of the model and of the options so that a checkpoint is never loaded into something else.
/// </summary>
internal sealed class TrainerCheckpoint : IDisposable
{
    /// <summary>The checkpoint's file name inside the checkpoint directory.</summary>
    public const string FileName = "trainer.checkpoint";

    private const string Magic = "RnnMl.TrainerCheckpoint";
    private const int FormatVersion = 1;

    private TrainerCheckpoint(string path, IReadOnlyList<LayoutEntry> layout, IReadOnlyList<(string Name, string Value)> options,
        TrainingRunState state, Dictionary<string, Tensor> model, Dictionary<string, Tensor>? snapshot, byte[] optimizer)
    {
        Path = path;
        Layout = layout;
        Options = options;
        State = state;
        Model = model;
        Snapshot = snapshot;
        OptimizerState = optimizer;
    }

    /// <summary>One entry of a model's state_dict: what must match for weights to fit.</summary>
    public sealed record LayoutEntry(string Name, ScalarType Dtype, long[] Shape)
    {
        public override string ToString() => $"'{Name}' {Dtype} [{string.Join(", ", Shape)}]";
    }

    /// <summary>Where the checkpoint was read from.</summary>
    public string Path { get; }

    /// <summary>The layout of the model it was written for.</summary>
    public IReadOnlyList<LayoutEntry> Layout { get; }

    /// <summary>The fingerprint of the options it was written with.</summary>
    public IReadOnlyList<(string Name, string Value)> Options { get; }

    /// <summary>The run state after its last completed epoch.</summary>
    public TrainingRunState State { get; }

    /// <summary>The model's weights at the end of that epoch; owned here until taken.</summary>
    public Dictionary<string, Tensor> Model { get; }

    /// <summary>The rollback weights; null when they equal <see cref="Model"/>. Owned here until taken.</summary>
    public Dictionary<string, Tensor>? Snapshot { get; private set; }

    /// <summary>The optimizer's state as written by TorchSharp's <c>save_state_dict</c>.</summary>
    public byte[] OptimizerState { get; }

    /// <summary>The state_dict layout of a model.</summary>
    public static IReadOnlyList<LayoutEntry> LayoutOf(nn.Module model) =>
        model.state_dict().Select(kv => new LayoutEntry(kv.Key, kv.Value.dtype, kv.Value.shape)).ToList();

    /// <summary>Hands the rollback weights over to the caller, who disposes them.</summary>
    public Dictionary<string, Tensor>? TakeSnapshot()
    {
        var s = Snapshot;
        Snapshot = null;
        return s;
    }

    /// <summary>Throws unless the checkpoint was written for a model of this layout and under these options.</summary>
    /// <exception cref="InvalidOperationException">The model or a trajectory-shaping option differs.</exception>
    public void EnsureMatches(IReadOnlyList<LayoutEntry> layout, IReadOnlyList<(string Name, string Value)> options)
    {
        const string Remedy = "delete it, point CheckpointDirectory elsewhere, or set ResumeFromCheckpoint = false to start over";
        var theirs = Layout.ToDictionary(e => e.Name);
        var ours = layout.ToDictionary(e => e.Name);
        foreach (var mine in layout)
        {
            if (!theirs.TryGetValue(mine.Name, out var saved))
                throw new InvalidOperationException($"the checkpoint {Path} was written for a different model: it has no '{mine.Name}', which the task's model has; {Remedy}");
            if (saved.Dtype != mine.Dtype || !saved.Shape.SequenceEqual(mine.Shape))
                throw new InvalidOperationException($"the checkpoint {Path} was written for a different model: it has {saved}, the task's model has {mine}; {Remedy}");
        }
        foreach (var saved in Layout)
            if (!ours.ContainsKey(saved.Name))
                throw new InvalidOperationException($"the checkpoint {Path} was written for a different model: it has {saved}, which the task's model lacks; {Remedy}");

        var savedOptions = Options.ToDictionary(o => o.Name, o => o.Value);
        var currentOptions = options.ToDictionary(o => o.Name, o => o.Value);
        foreach (var name in savedOptions.Keys.Union(currentOptions.Keys))
        {
            string then = savedOptions.GetValueOrDefault(name, "(not relevant)");
            string now = currentOptions.GetValueOrDefault(name, "(not relevant)");
            if (then != now)
                throw new InvalidOperationException($"the checkpoint {Path} was written with {name} = {then}, but the options now say {now}; resuming would not reproduce the run: {Remedy}");
        }
    }

    /// <summary>Writes a checkpoint atomically: to a temporary file first, then moved over the old one.</summary>
    public static void Write(string directory, IReadOnlyList<(string Name, string Value)> options, TrainingRunState state,
        nn.Module model, WeightSnapshot snapshot, OptimizerHelper optimizer)
    {
        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);

            var layout = LayoutOf(model);
            w.Write(layout.Count);
            foreach (var e in layout)
            {
                w.Write(e.Name);
                w.Write((int)e.Dtype);
                w.Write(e.Shape.Length);
                foreach (var d in e.Shape) w.Write(d);
            }
            w.Write(options.Count);
            foreach (var (name, value) in options)
            {
                w.Write(name);
                w.Write(value);
            }

            WriteState(w, state);

            WriteTensors(w, model.state_dict());
            // The snapshot usually is the model itself (no validation, or this epoch was the best): store it once.
            bool snapshotIsModel = state.SnapshotEpoch == state.CompletedEpochs - 1;
            w.Write(snapshotIsModel);
            if (!snapshotIsModel)
                WriteTensors(w, snapshot.Tensors);

            using (var buffer = new MemoryStream())
            {
                using (var ow = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
                    optimizer.save_state_dict(ow);
                w.Write((int)buffer.Length);
                w.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
            w.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a checkpoint into memory; its tensors are outside every dispose scope.</summary>
    /// <exception cref="InvalidOperationException">The file is not a trainer checkpoint, or is of another format version, or is truncated.</exception>
    public static TrainerCheckpoint Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        Dictionary<string, Tensor>? model = null, snapshot = null;
        try
        {
            string magic = r.ReadString();
            if (magic != Magic)
                throw new InvalidOperationException($"{path} is not a trainer checkpoint (it starts with \"{magic}\")");
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidOperationException($"the checkpoint {path} has format version {version}, this trainer reads version {FormatVersion}");

            var layout = new List<LayoutEntry>();
            int entries = r.ReadInt32();
            for (int i = 0; i < entries; i++)
            {
                string name = r.ReadString();
                var dtype = (ScalarType)r.ReadInt32();
                var shape = new long[r.ReadInt32()];
                for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt64();
                layout.Add(new LayoutEntry(name, dtype, shape));
            }
            var options = new List<(string, string)>();
            int optionCount = r.ReadInt32();
            for (int i = 0; i < optionCount; i++)
                options.Add((r.ReadString(), r.ReadString()));

            var state = ReadState(r);
            model = ReadTensors(r);
            if (!r.ReadBoolean())
                snapshot = ReadTensors(r);
            var optimizer = r.ReadBytes(r.ReadInt32());
            return new TrainerCheckpoint(path, layout, options, state, model, snapshot, optimizer);
        }
        catch (EndOfStreamException e)
        {
            Dispose(model);
            Dispose(snapshot);
            throw new InvalidOperationException($"the checkpoint {path} is truncated", e);
        }
        catch
        {
            Dispose(model);
            Dispose(snapshot);
            throw;
        }
    }

    /// <summary>Disposes the tensors still owned here.</summary>
    public void Dispose()
    {
        Dispose(Model);
        Dispose(Snapshot);
        Snapshot = null;
    }

    private static void Dispose(Dictionary<string, Tensor>? tensors)
    {
        if (tensors is null) return;
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
    }

    private static void WriteTensors(BinaryWriter w, IReadOnlyDictionary<string, Tensor> tensors)
    {
        w.Write(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            w.Write(name);
            using var scope = NewDisposeScope();
            // TorchSharp writes raw storage bytes, which are only the tensor's values when it is contiguous on the CPU.
            tensor.detach().cpu().contiguous().Save(w);
        }
    }

    private static Dictionary<string, Tensor> ReadTensors(BinaryReader r)
    {
        int count = r.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                tensors[name] = Tensor.Load(r).DetachFromDisposeScope();
            }
        }
        catch
        {
            Dispose(tensors);
            throw;
        }
        return tensors;
    }

    private static void WriteState(BinaryWriter w, TrainingRunState s)
    {
        w.Write(s.CompletedEpochs);
        w.Write(s.StepsTaken);
        w.Write(s.StepsPerEpoch);
        w.Write(s.BestEpoch);
        w.Write(s.BestScore);
        w.Write(s.HasValidation);
        w.Write(s.EpochsWithoutImprovement);
        w.Write(s.SnapshotEpoch);
        w.Write(s.Finished);
        w.Write((int)s.StopReason);
        w.Write(s.Message ?? "");
        w.Write(s.History.Count);
        foreach (var m in s.History)
        {
            w.Write(m.Epoch);
            w.Write(m.TrainLoss);
            w.Write(m.ValidationLoss.HasValue);
            w.Write(m.ValidationLoss ?? 0);
            WriteMetrics(w, m.TrainMetrics);
            WriteMetrics(w, m.ValidationMetrics);
            w.Write(m.LearningRate);
            w.Write(m.Duration.Ticks);
            w.Write(m.TrainCount);
            w.Write(m.IsBest);
        }
    }

    private static TrainingRunState ReadState(BinaryReader r)
    {
        var s = new TrainingRunState
        {
            CompletedEpochs = r.ReadInt32(),
            StepsTaken = r.ReadInt64(),
            StepsPerEpoch = r.ReadInt64(),
            BestEpoch = r.ReadInt32(),
            BestScore = r.ReadDouble(),
            HasValidation = r.ReadBoolean(),
            EpochsWithoutImprovement = r.ReadInt32(),
            SnapshotEpoch = r.ReadInt32(),
            Finished = r.ReadBoolean(),
            StopReason = (TrainingStopReason)r.ReadInt32(),
        };
        string message = r.ReadString();
        s.Message = message.Length == 0 ? null : message;
        int count = r.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            int epoch = r.ReadInt32();
            double trainLoss = r.ReadDouble();
            bool hasValidation = r.ReadBoolean();
            double validationLoss = r.ReadDouble();
            var trainMetrics = ReadMetrics(r);
            var validationMetrics = ReadMetrics(r);
            double lr = r.ReadDouble();
            var duration = TimeSpan.FromTicks(r.ReadInt64());
            long trainCount = r.ReadInt64();
            bool isBest = r.ReadBoolean();
            s.History.Add(new EpochMetrics(epoch, trainLoss, hasValidation ? validationLoss : null, trainMetrics, validationMetrics, lr, duration, trainCount, isBest));
        }
        return s;
    }

    private static void WriteMetrics(BinaryWriter w, IReadOnlyDictionary<string, double> metrics)
    {
        w.Write(metrics.Count);
        foreach (var (key, value) in metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(value);
        }
    }

    private static IReadOnlyDictionary<string, double> ReadMetrics(BinaryReader r)
    {
        int count = r.ReadInt32();
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
            metrics[r.ReadString()] = r.ReadDouble();
        return metrics;
    }
}
