namespace RnnMl.MLNet.Internal;

/// <summary>
/// Validates a saved transformer's <c>meta.json</c> (types, ranges, nulls) and the size its options imply against the
/// weights actually stored, before any tensor is allocated; every failure is an <see cref="InvalidDataException"/>
/// naming the entry and what is wrong. Anyone can edit <c>meta.json</c> and update its checksum, so nothing in it is trusted.
/// </summary>
internal sealed class MetadataCheck
{
    private const string Entry = "meta.json";
    private readonly ArchiveEntries entries;

    public MetadataCheck(ArchiveEntries entries) => this.entries = entries;

    /// <summary>Throws naming meta.json unless <paramref name="ok"/>; <paramref name="what"/> continues "'…/meta.json' …".</summary>
    public void Require(bool ok, string what)
    {
        if (!ok) throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}{Entry}' {what}");
    }

    public void Defined<T>(T value, string name) where T : struct, Enum =>
        Require(Enum.IsDefined(value), $"has {name} = {value}, which is not one of {string.Join(", ", Enum.GetNames<T>())}");

    /// <summary>Checks a saved tokenizer's kind and text normalization, named as the records name them.</summary>
    public void Text(TokenizerKind tokenizer, TextNormalization normalization)
    {
        Defined(tokenizer, "Tokenizer");
        Defined(normalization, "Normalization");
    }

    public void Column(string? value, string name) => Require(!string.IsNullOrWhiteSpace(value), $"has no {name} (got {(value is null ? "null" : $"\"{value}\"")})");

    public void AtLeast(long value, long minimum, string name) => Require(value >= minimum, $"has {name} = {value}; it must be at least {minimum}");

    /// <summary>Checks that options are present and pass their own validation (including the parameter ceiling).</summary>
    public T Options<T>(T? options, Func<T, T> validate, string name) where T : class
    {
        Require(options is not null, $"has no {name}");
        try { return validate(options!); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}{Entry}' has invalid {name}: {e.Message}", e); }
    }

    /// <summary>Checks that the weights entry holds at least the float32 parameters the options imply, so that a forged
    /// size never allocates more than the file holds.</summary>
    public void WeightsHold(long parameters, string weights = "weights.bin")
    {
        long bytes = entries.Get(weights).Length;
        long need = parameters * Torch.Models.ParameterBudget.BytesPerParameter;
        if (bytes < need)
            throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}{Entry}' implies at least {parameters:N0} parameters ({need:N0} bytes) but '{entries.Prefix}{weights}' holds {bytes:N0} bytes");
    }
}
