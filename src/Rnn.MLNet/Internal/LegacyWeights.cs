using TorchSharp;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// Loads weights saved by RnnMl 0.1.0, whose files hold every built-in recurrent layer's parameters twice.
/// </summary>
/// <remarks>
/// Why: up to 0.1.0 a built-in recurrent layer kept libtorch's fused module in a field, and TorchSharp registers every
/// Module-typed field as a child, so <c>state_dict()</c> also listed the same tensors under
/// <c>&lt;layer&gt;.fused.&lt;name&gt;</c> (19 entries for a one-layer bidirectional LSTM classifier instead of 11). Since
/// the fused modules became per-slot and private to the layer, the state dict holds PyTorch's names only, and a strict
/// load of an old file fails on the count. This loads such a file non-strictly, then insists that every current entry was
/// read from it and that every extra entry is one of those aliases, so a file that really does not fit still fails.
/// Guarded by <c>ModelCompatibilityTests.ModelSavedByRnnMl010OnMLNet501_LoadsAndGivesTheRecordedScores</c>.
/// </remarks>
internal static class LegacyWeights
{
    private static bool IsFusedAlias(string key) =>
        key.StartsWith("fused.", StringComparison.Ordinal) || key.Contains(".fused.", StringComparison.Ordinal);

    /// <summary>True when a strict load failed only because the file has more entries than the module.</summary>
    public static bool IsCountMismatch(Exception e) =>
        e is ArgumentException && e.Message.StartsWith("Mismatched state_dict sizes", StringComparison.Ordinal);

    /// <summary>Loads <paramref name="bytes"/> into <paramref name="module"/>, accepting the 0.1.0 fused aliases only.</summary>
    /// <exception cref="InvalidDataException">An entry of the module is missing, or an extra entry is not an alias.</exception>
    public static void Load(torch.nn.Module module, byte[] bytes)
    {
        var expected = module.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        var loaded = new Dictionary<string, bool>(StringComparer.Ordinal);
        using (var stream = new MemoryStream(bytes))
            module.load(stream, strict: false, loadedParameters: loaded);
        var missing = expected.Where(k => !loaded.TryGetValue(k, out bool ok) || !ok).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"the file lacks {missing.Count} of the model's entries (first: '{missing[0]}')");
        var foreign = loaded.Keys.Where(k => !expected.Contains(k) && !IsFusedAlias(k)).ToList();
        if (foreign.Count > 0)
            throw new InvalidDataException($"the file has {foreign.Count} entries the model does not (first: '{foreign[0]}')");
    }
}
