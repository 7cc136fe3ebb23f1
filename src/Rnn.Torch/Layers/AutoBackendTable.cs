namespace RnnMl.Torch.Layers;

/// <summary>
/// What <see cref="RecurrentBackend.Auto"/> runs for a built-in cell, by cell kind and kind of call, from the
/// <c>recurrent</c> benchmark (bench/Rnn.Bench, N=64 T=100 I=H=256, float32, 2 torch threads; ragged = lengths U[50,100]).
/// </summary>
internal static class AutoBackendTable
{
    /// <summary>The measured-fastest exact backend.</summary>
    /// <param name="kind">The built-in cell kind.</param>
    /// <param name="training">Autograd on (a training step) rather than inference.</param>
    /// <param name="ragged">The batch has lengths, not all T.</param>
    public static RecurrentBackend Choose(FusedKind kind, bool training, bool ragged) => (kind, training, ragged) switch
    {
        (FusedKind.None, _, _) => RecurrentBackend.Composed,
        (FusedKind.Lstm, true, _) => RecurrentBackend.Composed,
        (_, _, true) => RecurrentBackend.FusedRagged,
        _ => RecurrentBackend.Fused,
    };
}
