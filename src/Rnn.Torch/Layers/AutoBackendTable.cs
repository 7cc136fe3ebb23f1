namespace RnnMl.Torch.Layers;

/// <summary>
/// What <see cref="RecurrentBackend.Auto"/> runs for a built-in cell, by cell kind and kind of call, from the
/// <c>recurrent</c> benchmark (bench/Rnn.Bench: N=64 T=100 I=128 H=256, float32, 2 torch threads, 2-core x86-64;
/// ragged = lengths U[50,100]). Times are medians in ms from one run each; "quiet" = the full bench on an idle machine
/// (issue 18, sgemm 161.6 GFLOP/s), "busy" = the same bench on the shared machine at load average 15–28 (December 2026),
/// where absolute times are 20–40× longer and only large ratios are trustworthy.
/// </summary>
/// <remarks>
/// <code>
/// cell  call             pick         evidence
/// LSTM  training, full   Composed     quiet: composed vs fused 189.8 vs 303.0 (L1 D1), 449.1 vs 691.0 (L1 D2),
///                                     497.0 vs 681.6 (L2 D1), 953.9 vs 1280.6 (L2 D2): 1.34–1.60× faster
/// LSTM  training, ragged Composed     quiet: composed 167.8, fused packed 226.5, fused padded 273.1; FusedRagged runs
///                                     0.80–0.86× the padded time (busy: 5278 vs 6629, 5991 vs 7007), so ≈ 225–235
/// LSTM  inference, full  Fused        libtorch's oneDNN inference kernel (where LstmInferenceKernelGuard finds it exact);
///                                     composed is 0.76× fused (busy: 1605 vs 1212)
/// LSTM  inference, ragged FusedRagged busy: ragged vs packed vs composed 746 vs 3433 vs 5544 (D1), 736 vs 1826 vs 2916
///                                     (D1), 762 vs 2712 vs 8196 (D2): packing loses the oneDNN kernel
/// GRU,  any, full        Fused        quiet: composed 0.86–1.03× fused
/// RNN   any, ragged      Fused        busy: packed beat ragged in 7 of 8 rows (GRU D1 fwd 340 vs 672, train 7731 vs
///       (packed)                      9766; D2 fwd 1653 vs 2136, train 9016 vs 10038; RNN D1 fwd 82 vs 206, train
///                                     2405 vs 3423; D2 train 4474 vs 4926): without oneDNN, packing's 25 % fewer steps win
/// </code>
/// Busy-machine caveat: under heavy load the fused LSTM training paths beat composed (full 6067 vs 7379; ragged
/// 5278–5991 vs 8528–9054), the reverse of the quiet machine; the table follows the quiet machine.
/// </remarks>
internal static class AutoBackendTable
{
    /// <summary>The measured-fastest exact backend.</summary>
    /// <param name="kind">The built-in cell kind (None for custom cells).</param>
    /// <param name="training">Autograd on (a training step) rather than inference.</param>
    /// <param name="ragged">The batch has lengths, not all T.</param>
    public static RecurrentBackend Choose(FusedKind kind, bool training, bool ragged) => (kind, training, ragged) switch
    {
        (FusedKind.None, _, _) => RecurrentBackend.Composed,
        (FusedKind.Lstm, true, _) => RecurrentBackend.Composed,
        (FusedKind.Lstm, false, true) => RecurrentBackend.FusedRagged,
        _ => RecurrentBackend.Fused,
    };
}
