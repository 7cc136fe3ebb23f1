using RnnMl.Torch.Decoding;

namespace RnnMl.Torch.Tests.Decoding;

/// <summary>RowMemory owns the beam's expanded encoder memory: using it after Dispose is an error.</summary>
public sealed class RowMemoryTests
{
    [Fact]
    public void For_AfterDispose_ThrowsObjectDisposed()
    {
        var rows = new RowMemory();
        rows.Dispose();
        Assert.Throws<ObjectDisposedException>(() => rows.For(null!, [0], [0], 1));
    }
}
