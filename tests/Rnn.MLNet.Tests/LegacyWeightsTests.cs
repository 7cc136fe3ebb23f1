using RnnMl.MLNet.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Tests;

public class LegacyWeightsTests
{
    // A module with the given parameter names (dots make child-like names, as state_dict() reports them).
    private sealed class Named : nn.Module
    {
        public Named(params string[] names) : base("named")
        {
            foreach (var n in names)
                register_parameter(n.Replace('.', '_'), new TorchSharp.Modules.Parameter(full(3, (double)n.Length)));
            Names = names.Select(n => n.Replace('.', '_')).ToArray();
        }

        public string[] Names { get; }
    }

    private static byte[] Save(nn.Module m)
    {
        using var s = new MemoryStream();
        m.save(s);
        return s.ToArray();
    }

    [Fact]
    public void ExtraFusedAliases_AreAccepted_AndEveryEntryIsLoaded()
    {
        using var saved = new Named("w", "b");
        using var withAlias = new Wrapper(saved);
        var bytes = Save(withAlias);
        using var target = new Wrapper(new Named("w", "b"), alias: false);
        Assert.Throws<ArgumentException>(() => { using var s = new MemoryStream(bytes); target.load(s, strict: true); });

        LegacyWeights.Load(target, bytes);
        Assert.Equal(1.0, target.state_dict()["inner.w"].mean().item<float>(), 6);
    }

    [Fact]
    public void ExtraEntriesThatAreNotFusedAliases_AreRejected()
    {
        using var saved = new Named("w", "b", "c");
        using var target = new Named("w", "b");
        var e = Assert.Throws<InvalidDataException>(() => LegacyWeights.Load(target, Save(saved)));
        Assert.Contains("'c'", e.Message);
    }

    [Fact]
    public void MissingEntries_AreRejected()
    {
        using var saved = new Named("w");
        using var target = new Named("w", "b");
        var e = Assert.Throws<InvalidDataException>(() => LegacyWeights.Load(target, Save(saved)));
        Assert.Contains("'b'", e.Message);
    }

    // inner.* plus, as 0.1.0 wrote it, the same tensors again under fused.*.
    private sealed class Wrapper : nn.Module
    {
        private readonly nn.Module inner;

        public Wrapper(Named named, bool alias = true) : base("wrapper")
        {
            inner = named;
            register_module("inner", named);
            if (alias)
            {
                var copy = new Named(named.Names);
                register_module("fused", copy);
            }
        }
    }
}
