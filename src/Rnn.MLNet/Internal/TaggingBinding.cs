namespace RnnMl.MLNet.Internal;

/// <summary>A tagger bound to one input schema: reads the tokens (or text) column and adds the predicted tags
/// (<c>Vector&lt;Key&lt;UInt32&gt;&gt;</c> with the tag names as key values) and each tag's probability.</summary>
internal sealed class TaggingBinding : IRowBinding<TaggerInput, TaggerOutput>
{
    private readonly TaggerCore core;

    public TaggingBinding(TaggerCore core, string tokensColumnName, string predictedLabelColumnName, string scoreColumnName, DataViewSchema input)
    {
        this.core = core;
        Input = input;
        var column = Pipeline.ColumnCheck.Require(input, tokensColumnName);
        bool text = column.Type is TextDataViewType;
        if (text != core.TextInput || (!text && column.Type is not VectorDataViewType { ItemType: TextDataViewType }))
            throw Pipeline.ColumnCheck.Mismatch("input", tokensColumnName, core.TextInput ? "String (as in training)" : "Vector<String> (as in training)", column.Type.ToString());
        SourceColumn = column;
        Output = IRowBinding.Extend(input, builder =>
        {
            var names = new DataViewSchema.Annotations.Builder();
            var tagNames = new VBuffer<ReadOnlyMemory<char>>(core.Info.TagNames.Count, core.Info.TagNames.Select(n => n.AsMemory()).ToArray());
            names.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, core.Info.TagNames.Count), (ref VBuffer<ReadOnlyMemory<char>> v) => tagNames.CopyTo(ref v));
            builder.AddColumn(predictedLabelColumnName, new VectorDataViewType(new KeyDataViewType(typeof(uint), core.Info.TagNames.Count)), names.ToAnnotations());
            builder.AddColumn(scoreColumnName, new VectorDataViewType(NumberDataViewType.Single));
        });
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount => 2;

    public Func<TaggerInput> Reader(DataViewRow row)
    {
        var tokens = TaggerCore.TokenReader(row, SourceColumn, core.Info.Tokenizer);
        return () => core.Encode(tokens());
    }

    public IReadOnlyList<TaggerOutput> Compute(IReadOnlyList<TaggerInput> rows) => core.Tag(rows);

    public Delegate Getter(int k, Func<TaggerOutput> current)
    {
        return k == 0
            ? (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> v) =>
            {
                var tags = current().Tags;
                var editor = VBufferEditor.Create(ref v, tags.Length);
                for (int i = 0; i < tags.Length; i++) editor.Values[i] = (uint)tags[i] + 1;
                v = editor.Commit();
            })
            : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var scores = current().Scores;
                var editor = VBufferEditor.Create(ref v, scores.Length);
                scores.CopyTo(editor.Values);
                v = editor.Commit();
            });
    }
}
