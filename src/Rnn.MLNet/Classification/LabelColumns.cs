namespace RnnMl.MLNet.Classification;

/// <summary>Reads a classifier's label column: Boolean for binary, Key&lt;UInt32&gt; (2 to 1,000,000 values) for multiclass.</summary>
internal static class LabelColumns
{
    /// <summary>The label column, its class count and its class names (the key's KeyValues, if any).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or of the wrong type.</exception>
    public static (DataViewSchema.Column Column, int ClassCount, string[]? ClassNames) Read(DataViewSchema schema, string name, ClassificationKind kind)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find label column '{name}'");
        if (kind == ClassificationKind.Binary)
        {
            if (column.Type is not BooleanDataViewType)
                throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for label column '{name}': expected Boolean, got {column.Type}");
            return (column, 2, null);
        }
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for label column '{name}': expected Key<UInt32>, got {column.Type}");
        if (key.Count < 2 || key.Count > 1_000_000)
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for label column '{name}': expected a key with 2 to 1,000,000 values, got {key.Count}");
        return (column, (int)key.Count, KeyNames(column, (int)key.Count));
    }

    /// <summary>A getter of the current row's class, 0 to C − 1, or −1 for a missing key.</summary>
    public static Func<long> Getter(DataViewRow row, DataViewSchema.Column column, ClassificationKind kind)
    {
        if (kind == ClassificationKind.Binary)
        {
            var g = row.GetGetter<bool>(column);
            bool b = false;
            return () => { g(ref b); return b ? 1 : 0; };
        }
        var k = row.GetGetter<uint>(column);
        uint value = 0;
        return () => { k(ref value); return (long)value - 1; };
    }

    /// <summary>The key values (as strings) of a key or key-vector column, or null when it has none or not <paramref name="count"/> of them.</summary>
    public static string[]? KeyNames(DataViewSchema.Column column, int count)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType vector }) return null;
        var read = typeof(LabelColumns).GetMethod(nameof(ReadKeyNames), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(vector.ItemType.RawType);
        var names = (string[])read.Invoke(null, new object[] { column })!;
        return names.Length == count ? names : null;
    }

    private static string[] ReadKeyNames<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }
}
