using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>One input row plus the classifier's outputs, computed once per row position and only when asked for.</summary>
internal sealed class MappedRow : DataViewRow
{
    private readonly DataViewRow input;
    private readonly ScoringBinding binding;
    private readonly bool[] activeOutputs;
    private readonly Func<long[]>? ids;
    private long cachedPosition = -1;
    private float[] logits = Array.Empty<float>();

    public MappedRow(DataViewRow input, ScoringBinding binding, bool[] activeOutputs)
    {
        this.input = input;
        this.binding = binding;
        this.activeOutputs = activeOutputs;
        if (activeOutputs.Any(a => a)) ids = binding.Core.Encoder.MakeGetter(input, binding.TextColumn);
    }

    public override DataViewSchema Schema => binding.Output;
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < binding.InputCount ? input.IsColumnActive(binding.Input[column.Index]) : activeOutputs[column.Index - binding.InputCount];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < binding.InputCount) return input.GetGetter<TValue>(binding.Input[column.Index]);
        return binding.OutputGetter<TValue>(column, activeOutputs, Current);
    }

    private float[] Current()
    {
        if (input.Position != cachedPosition)
        {
            logits = binding.Core.Logits(new[] { ids!() })[0];
            cachedPosition = input.Position;
        }
        return logits;
    }
}
