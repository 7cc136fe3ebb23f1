namespace RnnMl.MLNet.Pipeline;

/// <summary>
/// Finds input columns in a schema or a schema shape and reports a missing column or a wrong type with ML.NET's
/// wording: "Could not find input column 'X'", "Schema mismatch for input column 'X': expected T, got U".
/// </summary>
internal static class ColumnCheck
{
    /// <summary>The String column <paramref name="name"/> of <paramref name="schema"/>.</summary>
    /// <param name="schema">The data's schema.</param>
    /// <param name="name">The column's name.</param>
    /// <param name="what">How the column is named in messages ("input", "source", "target").</param>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or not String.</exception>
    public static DataViewSchema.Column RequireText(DataViewSchema schema, string name, string what = "input")
    {
        var column = Require(schema, name, what);
        if (column.Type is not TextDataViewType)
            throw Mismatch(what, name, "String", column.Type.ToString());
        return column;
    }

    /// <summary>The column <paramref name="name"/> of <paramref name="schema"/>, of any type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing.</exception>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, string what = "input") =>
        schema.GetColumnOrNull(name) ?? throw Missing(what, name);

    /// <summary>The visible column <paramref name="name"/> of <paramref name="shape"/> (the last of that name), or null.</summary>
    public static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        SchemaShape.Column? found = null;
        foreach (var c in shape)
            if (c.Name == name) found = c;
        return found;
    }

    /// <summary>The visible column <paramref name="name"/> of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing.</exception>
    public static SchemaShape.Column Require(SchemaShape shape, string name, string what = "input") =>
        Find(shape, name) ?? throw Missing(what, name);

    /// <summary>Checks that the column <paramref name="name"/> of <paramref name="shape"/>, if <paramref name="required"/> or present, is a scalar String.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing (and required) or not String.</exception>
    public static void RequireText(SchemaShape shape, string name, string what = "input", bool required = true)
    {
        if (Find(shape, name) is not { } column)
        {
            if (required) throw Missing(what, name);
            return;
        }
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType || column.IsKey)
            throw Mismatch(what, name, "String", Describe(column));
    }

    /// <summary>A column shape as ML.NET writes types: String, Key&lt;UInt32&gt;, Vector&lt;String&gt;.</summary>
    public static string Describe(SchemaShape.Column column)
    {
        var item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType.ToString() ?? "";
        return column.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"Vector<{item}>";
    }

    /// <summary>"Could not find {what} column 'name'".</summary>
    public static ArgumentOutOfRangeException Missing(string what, string name) =>
        new("inputSchema", $"Could not find {what} column '{name}'");

    /// <summary>"Schema mismatch for {what} column 'name': expected …, got …".</summary>
    public static ArgumentOutOfRangeException Mismatch(string what, string name, string expected, string? actual) =>
        new("inputSchema", $"Schema mismatch for {what} column '{name}': expected {expected}, got {actual}");
}
