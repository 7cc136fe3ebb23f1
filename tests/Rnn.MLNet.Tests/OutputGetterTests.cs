using Microsoft.ML;

namespace RnnMl.MLNet.Tests;

/// <summary>The getters of the added columns, which every task's binding shares: an inactive column and a wrong value
/// type are refused, naming the column (and both types).</summary>
public class OutputGetterTests : IClassFixture<BinaryModelFixture>
{
    private readonly BinaryModelFixture binary;

    public OutputGetterTests(BinaryModelFixture binary) => this.binary = binary;

    [Fact]
    public void Cursor_InactiveAddedColumn_ThrowsNamingIt()
    {
        var scored = binary.Model.Transform(binary.Test);
        using var cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] });
        Assert.True(cursor.MoveNext());
        var e = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(scored.Schema["Probability"]));
        Assert.Contains("column 'Probability' is not active", e.Message);
    }

    [Fact]
    public void Cursor_WrongValueType_ThrowsNamingTheColumnAndBothTypes()
    {
        var scored = binary.Model.Transform(binary.Test);
        using var cursor = scored.GetRowCursor(new[] { scored.Schema["PredictedLabel"] });
        Assert.True(cursor.MoveNext());
        var e = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(scored.Schema["PredictedLabel"]));
        Assert.Contains("column 'PredictedLabel': expected System.Boolean, got System.Single", e.Message);
    }

    [Fact]
    public void Cursor_RightValueType_ReadsTheColumn()
    {
        var scored = binary.Model.Transform(binary.Test);
        using var cursor = scored.GetRowCursor(new[] { scored.Schema["Probability"] });
        Assert.True(cursor.MoveNext());
        float p = -1;
        cursor.GetGetter<float>(scored.Schema["Probability"])(ref p);
        Assert.InRange(p, 0f, 1f);
    }
}
