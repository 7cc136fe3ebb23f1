namespace RnnMl.Text.Internal;

/// <summary>
/// Guards an object that owns native memory against use after, or during, its disposal: every use holds a lease; once
/// <see cref="Close"/> has begun no new lease is granted (<see cref="ObjectDisposedException"/>), and <see cref="Close"/>
/// waits until the leases in flight are returned, so native memory is never freed while a call is using it.
/// </summary>
/// <remarks>Shared by the ONNX Runtime wrappers (Rnn.Onnx) and the ML.NET transformers (Rnn.MLNet); guarded by the
/// dispose-race tests in tests/Rnn.Onnx.Tests (DisposalTests) and tests/Rnn.MLNet.Tests (DisposalTests).</remarks>
internal sealed class UsageGate
{
    private readonly object sync = new();
    private readonly string objectName;
    private int users;
    private bool closed;

    public UsageGate(string objectName) => this.objectName = objectName;

    /// <summary>Whether <see cref="Close"/> has begun.</summary>
    public bool IsClosed
    {
        get { lock (sync) return closed; }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once <see cref="Close"/> has begun.</summary>
    public void ThrowIfClosed()
    {
        if (IsClosed) throw Disposed();
    }

    /// <summary>Starts one use; dispose the lease when the use ends.</summary>
    /// <exception cref="ObjectDisposedException"><see cref="Close"/> has begun.</exception>
    public Lease Enter()
    {
        lock (sync)
        {
            if (closed) throw Disposed();
            users++;
        }
        return new Lease(this);
    }

    /// <summary>Refuses new uses and waits for the current ones to end; true the first time, false if already closed.</summary>
    public bool Close()
    {
        lock (sync)
        {
            if (closed) return false;
            closed = true;
            while (users > 0) Monitor.Wait(sync);
            return true;
        }
    }

    private void Exit()
    {
        lock (sync)
        {
            if (--users == 0) Monitor.PulseAll(sync);
        }
    }

    private ObjectDisposedException Disposed() => new(objectName, $"this {objectName} has been disposed; its native memory is freed");

    /// <summary>One use in flight.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly UsageGate gate;

        internal Lease(UsageGate gate) => this.gate = gate;

        /// <summary>Ends the use.</summary>
        public void Dispose() => gate?.Exit();
    }
}
