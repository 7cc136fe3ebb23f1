using static RnnMl.MLNet.Tests.DisposalRace;
using RnnMl.Onnx.Tests.Support;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static RnnMl.Onnx.Tests.Support.Seq2SeqOnnxSupport;

namespace RnnMl.Onnx.Tests;

/// <summary>Use after <c>Dispose</c> and <c>Dispose</c> racing predictions: <see cref="ObjectDisposedException"/>, never a
/// crash (on main this killed the process with exit code 139) or a misleading ONNX Runtime error.</summary>
public sealed class DisposalTests(ExportedBinaryModelFixture fixture) : IClassFixture<ExportedBinaryModelFixture>, IDisposable
{
    private readonly string folder = TempFolder();

    [Fact]
    public void OnnxTextClassifier_AfterDispose_EveryMemberThrowsObjectDisposed()
    {
        var classifier = OnnxTextClassifier.Load(fixture.OnnxPath);
        classifier.Dispose();
        classifier.Dispose(); // a second Dispose does nothing
        AssertDisposed(() => classifier.Predict("the plot was good"), nameof(OnnxTextClassifier));
        AssertDisposed(() => classifier.Predict(new[] { "good", "bad" }), nameof(OnnxTextClassifier));
        AssertDisposed(() => classifier.Score(new[] { new long[] { 2, 3 } }), nameof(OnnxTextClassifier));
        AssertDisposed(() => classifier.Text, nameof(OnnxTextClassifier));
        AssertDisposed(() => classifier.ClassCount, nameof(OnnxTextClassifier));
    }

    [Fact]
    public void OnnxTranslator_AfterDispose_EveryMemberThrowsObjectDisposed()
    {
        using var model = Model(RecurrentCellKind.Gru, RecurrentCellKind.Gru, AttentionKind.LuongDot);
        var translator = ExportAndLoad(model, TextInfo(), folder);
        translator.Dispose();
        translator.Dispose();
        AssertDisposed(() => translator.Translate("s2 s3"), nameof(OnnxTranslator));
        AssertDisposed(() => translator.Translate(new[] { "s2 s3" }), nameof(OnnxTranslator));
        AssertDisposed(() => translator.Decode(Sources), nameof(OnnxTranslator));
        AssertDisposed(() => translator.Text, nameof(OnnxTranslator));
        AssertDisposed(() => translator.Layers, nameof(OnnxTranslator));
        AssertDisposed(() => translator.HiddenSize, nameof(OnnxTranslator));
    }

    [Fact]
    public void OnnxTextClassifier_DisposeWhileThreadsPredict_WaitsOrFailsCleanly()
    {
        // The reproduction of issue 17 case 1, on three threads.
        var classifier = OnnxTextClassifier.Load(fixture.OnnxPath);
        var outcomes = Race(() => classifier.Predict("the plot was good"), classifier.Dispose);
        Assert.All(outcomes, o => Assert.True(o is null or ObjectDisposedException, $"a predicting thread failed with {o}"));
        Assert.Contains(outcomes, o => o is ObjectDisposedException);
    }

    [Fact]
    public void OnnxTranslator_DisposeWhileThreadsTranslate_WaitsOrFailsCleanly()
    {
        using var model = Model(RecurrentCellKind.Lstm, RecurrentCellKind.Lstm, AttentionKind.Bahdanau, inputFeeding: true);
        var translator = ExportAndLoad(model, TextInfo(), folder);
        var outcomes = Race(() => translator.Decode(Sources, new RnnMl.Text.Decoding.DecodingOptions { BeamWidth = 3 }), translator.Dispose);
        Assert.All(outcomes, o => Assert.True(o is null or ObjectDisposedException, $"a translating thread failed with {o}"));
        Assert.Contains(outcomes, o => o is ObjectDisposedException);
    }

    private static void AssertDisposed(Func<object?> member, string name)
    {
        var e = Assert.Throws<ObjectDisposedException>(member);
        Assert.Equal(name, e.ObjectName);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
