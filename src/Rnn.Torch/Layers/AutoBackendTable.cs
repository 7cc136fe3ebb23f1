namespace RnnMl.Torch.Layers;

/// <summary>
/// What <see cref="RecurrentBackend.Auto"/> runs for a built-in cell, by cell kind and kind of call, from the full
/// <c>recurrent</c> benchmark (bench/Rnn.Bench: N=64 T=100 I=128 H=256, float32, 2 torch threads, 2-core x86-64;
/// ragged = lengths U[50,100]) on an idle machine (6 December 2026, load average ≈ 2, sgemm 164.6 GFLOP/s in the same
/// run). Times are medians in ms: fused = libtorch's kernel (packed when ragged), comp = our cells with autograd,
/// rag = <see cref="RecurrentBackend.FusedRagged"/> (no packing).
/// </summary>
/// <remarks>
/// <code>
/// cell  call              pick         evidence (L D: fused / comp / rag)
/// LSTM  training, full    Composed     1 1: 342.6 / 187.6; 1 2: 682.7 / 406.7; 2 1: 717.3 / 378.9; 2 2: 1561.8 / 1055.1
///                                      (composed 1.5–1.9× faster: one big input projection, libtorch's backward is
///                                      step-by-step small products); gemm (ComposedGemm) vs comp in one run, see below
/// LSTM  training, ragged  Composed     1 1: 259.7 / 202.9 / 264.0; 1 2: 831.8 / 372.9 / 575.3 (the masked composed
///                                      loop; the loop on running rows only is faster still, see below)
/// LSTM  inference, full   Fused        1 1: 35.5 / 68.5; 1 2: 76.2 / 193.7 (libtorch's oneDNN kernel, where
///                                      LstmInferenceKernelGuard finds it exact)
/// LSTM  inference, ragged FusedRagged  1 1: 55.0 / 70.8 / 32.6; 1 2: 116.3 / 144.6 / 65.0 (packing loses oneDNN)
/// GRU   full, any         Fused        composed 0.81–1.02× fused
/// GRU   inference, ragged Fused (1 direction); Composed (2 directions, see below)
///                                      1 1: 31.0 / 42.4 / 37.9; 1 2: 74.2 / 91.1 / 87.4
/// GRU   training, ragged  Composed (was FusedRagged, see below)  1 1: 169.4 / 134.6 / 118.3; 1 2: 321.3 / 271.7 / 241.6
/// RNN   inference, full   Fused        composed 0.82–1.08× fused (within noise)
/// RNN   training, full    Composed (was Fused, see below)
/// RNN   inference, ragged Fused (1 direction); Composed (2 directions, see below)
///                                      1 1: 16.0 / 20.2 / 17.2; 1 2: 28.5 / 33.8 / 31.6
/// RNN   training, ragged  Composed (was FusedRagged, see below)  1 1: 61.8 / 46.6 / 40.3; 1 2: 126.0 / 94.8 / 87.9
/// </code>
/// ComposedGemm (gate-gradient backward, weight gradients as one product over all steps; with lengths, each step on
/// its active rows only) against the others, `recurrent --quick`, same run (load average 21–28, so only ratios mean
/// anything; fused / comp / rag / gemm ms, 3 rounds): LSTM 1 1 train full 7877.4 / 14160.1 / - / 5027.9; ragged
/// 13175.2 / 9392.6 / 5154.7 / 4240.6 (gemm fastest in both, 1.6–2.8× comp; an earlier run of the masked version:
/// full 8572.3 / 11899.7 / - / 6267.8, ragged 17376.6 / 7839.7 / 8429.6 / 4045.0). On an idle machine (load ≈ 1.5,
/// sgemm 167.6 GFLOP/s, `recurrent --quick`) the order reverses: full 279.8 / 153.0 / - / 200.5, ragged
/// 253.7 / 224.2 / 204.5 / 263.5, so Auto keeps Composed for LSTM training. (The 4 live tensors per epoch that
/// TrainerTests saw with ComposedGemm were handle-less undefined gradients, fixed in LstmSequenceFunction.)
/// <para>Composed with lengths now sorts the batch by length once and steps only the running rows, without masks
/// (RaggedComposedRecurrence). LSTM 1 1 ragged training, comp / rag / gemm ms, three runs on the loaded shared machine
/// (6 December 2026; no idle window that evening): `recurrent --quick`, load 13–19, sgemm 36.6 GFLOP/s:
/// 2607.5 / 2900.7 / 2930.3 (lstm_ragged_vs_full_train 0.959); the same, load 12–18, sgemm 35.1: 1667.7 / 4648.7 /
/// 2821.1; `--cell lstm --lengths ragged --rounds 3`, load 11–18: 1233.3 / 3896.6 / 2221.7 (1 2: 17159.1 / 21503.2 /
/// 9073.9, an outlier run); two more `--quick` runs, load 6–13, sgemm 37.0 and 47.8: 5086.9 / 6877.7 / 4413.0 and
/// 6302.6 / 5014.0 / 4428.6 (there gemm won, as it does for full-length training under load). At this load single rows
/// move by 2× between runs; on the idle machine (above) composed beat gemm by 1.2–1.3× even with the masked loop, which
/// does more work than the new one, so Composed stays Auto's pick until an idle re-run says otherwise. GRU and RNN ragged
/// training keep FusedRagged from the idle run above, which was against the masked loop (1.14–1.16× faster than it);
/// the new loop skips the ≈ 25 % padded steps and the per-step masks, so that row wants an idle-machine re-run.
/// The re-run (full `recurrent` table, 6 December 2026 22:30, load ≈ 2, after the new loop; comp / rag ms): GRU 1 1
/// 134.7 / 142.3, GRU 1 2 212.8 / 259.3, RNN 1 1 36.1 / 44.6, RNN 1 2 86.1 / 106.1; so GRU and RNN ragged training
/// now use Composed as well (auto/best there was 0.946 / 0.821 / 0.811 / 0.811 with FusedRagged).</para>
/// <para>ComposedGemm's faster backward (7 December 2026) won LSTM 1 1 full training in two idle `recurrent --quick` runs
/// (comp / gemm ms 280.1 / 217.4 and 152.7 / 145.9), but the full idle table right after (load ≈ 2.4, sgemm 172.5
/// GFLOP/s) had Composed ahead in every full-length LSTM training row (comp / gemm: 1 1 174.0 / 182.1, 1 2 400.1 /
/// 422.5, 2 1 377.3 / 433.1, 2 2 960.7 / 1044.4), so Composed stays.</para>
/// <para>RNN bidirectional ragged inference: after the running-rows loop (RaggedComposedRecurrence) replaced the
/// masked one, two idle full tables (6–7 December 2026, load ≈ 2–2.4) both had composed ahead of the packed fused
/// kernel (fused / comp / rag ms 40.9 / 33.2 / 42.6 in the later one; auto/best 0.812 with Fused), so that row runs
/// Composed. Unidirectional ragged RNN inference stays Fused (17.2 / 20.8 / 19.8).</para>
/// <para>RNN full-length training: three tables on 7 December 2026 all had composed ahead of fused in every such row,
/// by 2–8 % (fused / comp ms, L D = 1 1, 1 2, 2 1, 2 2): the idle two-thread table before the change above
/// 53.7 / 49.9, 100.0 / 96.4, 112.7 / 114.4, 275.1 / 269.2; a one-thread table 57.2 / 55.6, 114.8 / 111.6,
/// 133.5 / 131.1, 334.5 / 326.7; the idle two-thread table after it (load ≈ 2.3, sgemm 164.6 GFLOP/s) 51.9 / 50.4,
/// 104.2 / 96.9, 119.6 / 114.3, 277.3 / 265.3 (auto/best 0.930–0.970 with Fused). So RNN training runs Composed.</para>
/// <para>GRU bidirectional ragged inference (fused / comp ms, L D = 1 2, lengths U[50,100]): four full tables after the
/// running-rows loop: 6 December 2026 84.4 / 85.4; 7 December, one thread 101.4 / 99.5; idle two threads 87.8 / 81.7;
/// idle two threads (load ≈ 2, sgemm 157.1 GFLOP/s) 89.9 / 81.1. Composed leads in three of four; where it trails it
/// loses 1.2 % (auto/best 0.988), where Fused trails it loses 7–10 % (auto/best 0.902–0.931). So that row runs
/// Composed, as for the RNN.</para>
/// <para>With <see cref="NativeAllocator"/> tuned (glibc keeps freed blocks instead of mmapping each same-size block
/// afresh; <see cref="Training.Trainer"/> does it by default) libtorch's LSTM kernels stop page-faulting their workspace
/// in on every call. Full table with MALLOC_MMAP_THRESHOLD_=256 MB MALLOC_TRIM_THRESHOLD_=1 GB, idle, 7 December 2026
/// (fused / comp / rag ms): LSTM training full 1 1 59.2 / 162.3, 1 2 136.0 / 323.5, 2 1 129.5 / 366.2, 2 2 334.1 /
/// 856.5; ragged 1 1 314.2 / 169.6 / 98.2, 1 2 501.6 / 280.8 / 245.1 (outputs equal within 5.7e-7). So tuned LSTM
/// training runs Fused (full) and FusedRagged (ragged); GRU and RNN rows did not change (GRU training 0.87–0.89 composed
/// vs fused, RNN within 6 %).</para>
/// <para>After FusedRagged moved to DP-chosen segments on the alive rows (<see cref="RaggedSegments"/>) and the
/// allocator thresholds to an eighth of memory, the idle full table of 7 December 2026 08:58 (two threads, sgemm
/// 173.3 GFLOP/s; fused / comp / rag ms): LSTM ragged training 1 1 180.2 / 116.1 / 60.0, 1 2 377.1 / 234.8 / 112.8
/// (FusedRagged stays); GRU ragged training 1 1 139.6 / 96.4 / 96.5, 1 2 304.1 / 193.0 / 197.9 (a tie: Composed
/// stays); RNN ragged training 60.0 / 34.1 / 39.5, 125.7 / 68.4 / 80.8 (Composed stays).</para>
/// <para>GRU ragged training once more (comp / rag ms, L D = 1 1 and 1 2), 7 December 2026 after the single-segment and
/// reversal changes: full table (10:39) 117.8 / 105.6 and 222.8 / 198.0 (auto/best 0.896 / 0.889), then two GRU-only runs
/// with 7 rounds 98.7 / 102.6, 196.2 / 202.3 and 104.7 / 105.3, 205.4 / 198.0. With the 08:58 table the ratios rag/comp are
/// 0.89–1.04 (mean 0.98): a tie within this machine's noise, so Composed stays.</para>
/// On the shared machine under heavy load (load average 15–28) the fused LSTM training paths beat composed instead; the
/// table follows the idle machine, where timings are trustworthy. Every backend stays selectable explicitly.
/// </remarks>
internal static class AutoBackendTable
{
    /// <summary>The measured-fastest exact backend.</summary>
    /// <param name="kind">The built-in cell kind (None for custom cells).</param>
    /// <param name="training">Autograd on (a training step) rather than inference.</param>
    /// <param name="ragged">The batch has lengths, not all T.</param>
    /// <param name="bidirectional">The layer runs both directions.</param>
    /// <param name="allocatorTuned">glibc keeps freed blocks (<see cref="NativeAllocator.IsTuned"/>): libtorch's LSTM
    /// kernels then win training by 1.1–2.7×, where with glibc's defaults they lose it by 1.5–1.9×.</param>
    public static RecurrentBackend Choose(FusedKind kind, bool training, bool ragged, bool bidirectional, bool allocatorTuned)
        => (kind, training, ragged) switch
        {
            (FusedKind.None, _, _) => RecurrentBackend.Composed,
            (FusedKind.Lstm, true, false) when allocatorTuned => RecurrentBackend.Fused,
            (FusedKind.Lstm, true, true) when allocatorTuned => RecurrentBackend.FusedRagged,
            (FusedKind.Lstm, true, _) => RecurrentBackend.Composed,
            (FusedKind.Lstm, false, true) => RecurrentBackend.FusedRagged,
            (FusedKind.Gru, true, true) => RecurrentBackend.Composed,
            (FusedKind.Rnn, true, _) => RecurrentBackend.Composed,
            (FusedKind.Rnn or FusedKind.Gru, false, true) when bidirectional => RecurrentBackend.Composed,
            _ => RecurrentBackend.Fused,
        };
}
