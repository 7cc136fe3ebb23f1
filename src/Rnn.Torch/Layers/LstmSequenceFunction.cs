using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace RnnMl.Torch.Layers;

/// <summary>
/// One direction of one LSTM layer over all T steps as a single autograd node (TorchSharp's
/// <c>MultiTensorFunction</c>), with a hand-written backward that does only what must be done step by step.
/// </summary>
/// <remarks>
/// Inputs (by position): P (T, N, 4H) = W_ih x + b_ih + b_hh for every step (time-major, gates [i; f; g; o]);
/// h0, c0 (N, H); W_hh (4H, H) — any tensor, so a caller may pass a transformed weight (e.g. DropConnect);
/// active (long[T] or null): how many rows take part in step t, for a batch sorted by length, longest first (a
/// sequence of length ℓ takes part in steps 0 … ℓ−1, in either direction); reverse (bool).
/// Output: one (T + 2, N, H) tensor [y; h_T; c_T] (Run splits it into views): y with zeros at the steps a row does not take part in; h_T, c_T, each row's state after
/// its last step. Work per step shrinks with the active rows, as in a packed sequence, without packing.
/// <para>
/// Forward runs the loop without autograd and saves, per step, the gate activations, the cell state entering the step
/// and tanh of the new one, plus the h entering every step in one (T, N, H) buffer. Backward walks back in time and
/// writes, per step, the gate gradients dG_t (a dozen elementwise kernels on (m_t, H)–(m_t, 4H) tensors that stay
/// in cache) into one preallocated (T, N, 4H) buffer, and forms the one product dh_{t−1} = dG_t W_hh the recursion
/// needs. Then dW_hh = Σ_t dG_tᵀ h_{t−1} is ONE matrix product over all T·N rows (as cuDNN does), and dG itself is
/// returned as the gradient of P, so autograd's backward of the input projection forms dW_ih, dx and the biases'
/// gradients with one large product (or sum) each.
/// </para>
/// </remarks>
internal sealed class LstmSequenceFunction : MultiTensorFunction<LstmSequenceFunction>
{
    /// <inheritdoc />
    public override string Name => nameof(LstmSequenceFunction);

    /// <summary>Runs the function (an autograd node when any input requires a gradient).</summary>
    /// <returns>y (T, N, H), h_T (N, H), c_T (N, H).</returns>
    public static (Tensor Output, Tensor H, Tensor C) Run(Tensor projected, Tensor h0, Tensor c0, Tensor weightHh,
        long[]? active, bool reverse)
    {
        // Without a gradient to form, nothing needs saving: the loop runs in place on (N, ·) buffers.
        bool needsGrad = is_grad_enabled() && (projected.requires_grad || h0.requires_grad || c0.requires_grad || weightHh.requires_grad);
        // One output, (T + 2, N, H) = [y; h_T; c_T], so the backward always gets one defined gradient (see forward).
        var r = needsGrad ? apply(projected, h0, c0, weightHh, active!, reverse)[0] : RunWithoutAutograd(projected, h0, c0, weightHh, active, reverse);
        int steps = (int)projected.shape[0];
        return (r.narrow(0, 0, steps), r[steps], r[steps + 1]);
    }

    /// <summary>
    /// The forward loop when no gradient is needed, on one (N, 4H) gate buffer and one (N, H) buffer each for c and
    /// tanh c, reused by every step (c updated in place); returns [y; h_T; c_T] (T + 2, N, H). The same operations
    /// in the same order as <see cref="Cells.LstmCell.Step"/>, so the same numbers as the composed loop.
    /// </summary>
    internal static Tensor RunWithoutAutograd(Tensor p, Tensor h0, Tensor c0, Tensor wHh, long[]? active, bool reverse)
    {
        int steps = (int)p.shape[0];
        long n = p.shape[1], hidden = wHh.shape[1];
        using var scope = NewDisposeScope();
        var output = active is null ? empty(steps + 2, n, hidden, p.dtype, p.device) : zeros(steps + 2, n, hidden, p.dtype, p.device);
        Tensor hFinal = output[steps], cFinal = output[steps + 1];
        var gates = empty(n, 4 * hidden, p.dtype, p.device);
        var tanhC = empty(n, hidden, p.dtype, p.device);
        var c = empty(n, hidden, p.dtype, p.device);
        var hGrown = reverse && active is not null ? empty(n, hidden, p.dtype, p.device) : null;
        // h: the h entering the step, `current` rows (h0 or y's last step); c's rows 0 … current−1 hold the cell state.
        Tensor h = h0.narrow(0, 0, reverse ? 0 : n);
        long current = h.shape[0];
        if (current > 0) c.copy_(c0);
        var wT = wHh.t();
        for (int k = 0; k < steps; k++)
        {
            int t = reverse ? steps - 1 - k : k;
            long m = active?[t] ?? n;
            if (m < current)
            {
                // Forward direction: rows m … current−1 have ended; their state is final.
                hFinal.narrow(0, m, current - m).copy_(h.narrow(0, m, current - m));
                cFinal.narrow(0, m, current - m).copy_(c.narrow(0, m, current - m));
            }
            else if (m > current)
            {
                // Reverse direction: rows current … m−1 start here, at their own last step, from their initial state.
                c.narrow(0, current, m - current).copy_(c0.narrow(0, current, m - current));
                if (current == 0) h = h0;
                else
                {
                    hGrown!.narrow(0, 0, current).copy_(h);
                    hGrown.narrow(0, current, m - current).copy_(h0.narrow(0, current, m - current));
                    h = hGrown;
                }
            }
            current = m;
            var a = gates.narrow(0, 0, m).copy_(p[t].narrow(0, 0, m)).addmm_(h.narrow(0, 0, m), wT);
            var i = a.narrow(1, 0, hidden).sigmoid_();
            var f = a.narrow(1, hidden, hidden).sigmoid_();
            var g = a.narrow(1, 2 * hidden, hidden).tanh_();
            var o = a.narrow(1, 3 * hidden, hidden).sigmoid_();
            var cm = c.narrow(0, 0, m).mul_(f).addcmul_(i, g, PinnedScalars.One);
            var tc = tanhC.narrow(0, 0, m).copy_(cm).tanh_();
            h = output[t].narrow(0, 0, m).copy_(tc).mul_(o);
        }
        hFinal.narrow(0, 0, current).copy_(h);
        cFinal.narrow(0, 0, current).copy_(c.narrow(0, 0, current));
        return output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var p = (Tensor)vars[0];
        var wHh = (Tensor)vars[3];
        var active = vars[4] as long[];
        bool reverse = (bool)vars[5];
        int steps = (int)p.shape[0];
        long n = p.shape[1], hidden = wHh.shape[1];

        using var scope = NewDisposeScope();
        // Per step, kept for backward: the gate activations [i, f, g, o] (m_t, 4H), the cell state entering the step
        // and tanh of the new one (m_t, H); and in one buffer the h entering each step, for dW_hh's single product.
        // With lengths, rows outside a step must hold finite values there (they meet zero gate gradients).
        // Separate (m_t, ·) tensors per step rather than one (T, N, ·) buffer each: large buffers are mapped fresh
        // from the system and faulted in on every call (glibc's defaults), which measured ~40 % slower per training
        // iteration than these step-sized blocks, which the allocator reuses from call to call (session 15).
        var gates = new Tensor[steps];
        var cIn = new Tensor[steps];
        var tanhC = new Tensor[steps];
        var hPrev = active is null ? empty(steps, n, hidden, p.dtype, p.device) : zeros(steps, n, hidden, p.dtype, p.device);
        // y, then h_T and c_T as the last two rows (y is zero where a row takes no part in a step).
        var output = active is null ? empty(steps + 2, n, hidden, p.dtype, p.device) : zeros(steps + 2, n, hidden, p.dtype, p.device);
        Tensor h0 = (Tensor)vars[1], c0 = (Tensor)vars[2];
        Tensor hFinal = output[steps], cFinal = output[steps + 1];
        // The state entering a step, m rows: views of h0/c0 or of the last step's results, never the inputs themselves.
        Tensor h = h0.narrow(0, 0, reverse ? 0 : n), c = c0.narrow(0, 0, reverse ? 0 : n);
        long current = h.shape[0];
        var wT = wHh.t();
        for (int k = 0; k < steps; k++)
        {
            int t = reverse ? steps - 1 - k : k;
            long m = active?[t] ?? n;
            if (m < current)
            {
                // Forward direction: rows m … current−1 have ended; their state is final.
                hFinal.narrow(0, m, current - m).copy_(h.narrow(0, m, current - m));
                cFinal.narrow(0, m, current - m).copy_(c.narrow(0, m, current - m));
                h = h.narrow(0, 0, m);
                c = c.narrow(0, 0, m);
            }
            else if (m > current)
            {
                // Reverse direction: rows current … m−1 start here, at their own last step, from their initial state.
                h = current == 0 ? h0.narrow(0, 0, m) : cat(new[] { h, h0.narrow(0, current, m - current) }, 0);
                c = current == 0 ? c0.narrow(0, 0, m) : cat(new[] { c, c0.narrow(0, current, m - current) }, 0);
            }
            current = m;
            hPrev[t].narrow(0, 0, m).copy_(h);
            var a = p[t].narrow(0, 0, m).addmm(h, wT);
            a.narrow(1, 0, 2 * hidden).sigmoid_();
            var g = a.narrow(1, 2 * hidden, hidden).tanh_();
            var o = a.narrow(1, 3 * hidden, hidden).sigmoid_();
            var cNew = a.narrow(1, hidden, hidden).mul(c).addcmul_(a.narrow(1, 0, hidden), g, PinnedScalars.One);
            var tc = cNew.tanh();
            gates[t] = a;
            cIn[t] = c;
            tanhC[t] = tc;
            h = output[t].narrow(0, 0, m).copy_(tc).mul_(o);
            c = cNew;
        }
        hFinal.narrow(0, 0, current).copy_(h);
        cFinal.narrow(0, 0, current).copy_(c);
        // TorchSharp 0.107 workaround: a function with several outputs gets, for an output the loss does not use, either
        // a zero gradient materialized from a template tensor that Function.apply created in the caller's dispose scope
        // (already disposed by then: the test host crashes with "Tensor invalid -- empty handle"), or, with
        // set_materialize_grads(false), a handle-less Tensor that stays counted as live forever (DisposeScopeManager
        // statistics; Dispose does not uncount it). One output [y; h_T; c_T] avoids both: its gradient is defined
        // whenever backward runs (the views' backward fills the unused parts with zeros). Guarded by
        // ComposedGemm_BackwardTwiceWithRetainedGraph_GivesTheSameGradients and TrainerTests'
        // Fit_ManyEpochs_LiveTensorCountStaysFlat (which only uses h_T).
        ctx.save_data("reverse", reverse);
        ctx.save_data("steps", steps);
        if (active is not null) ctx.save_data("active", active);
        // Saved after this method returns (once the outputs are wrapped), so our own tensors must outlive this
        // scope; the inputs (W_hh is a parameter) belong to the caller and must not be moved. Every entry of cIn is
        // our own handle (a view or a result), never h0/c0 themselves.
        var saved = new List<Tensor>(3 * steps + 2) { hPrev };
        saved.AddRange(gates);
        saved.AddRange(cIn);
        saved.AddRange(tanhC);
        foreach (var s in saved) s.MoveToOuterDisposeScope();
        saved.Add(wHh);
        ctx.save_for_backward(saved);
        output.MoveToOuterDisposeScope();
        return new List<Tensor> { output };
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        bool reverse = (bool)ctx.get_data("reverse");
        int steps = (int)ctx.get_data("steps");
        var active = ctx.get_data("active") as long[];
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var hPrev = saved[0];
        var wHh = saved[^1];
        long n = hPrev.shape[1], hidden = hPrev.shape[2];
        var dOut = gradOutputs[0];
        // dh and dc carry the gradient from step to step, updated in place row block by row block: our own copies.
        var dh = dOut[steps].clone();
        var dc = dOut[steps + 1].clone();
        // dG (T, N, 4H): the gate gradients of every step, written step by step; rows outside a step stay zero.
        var dG = active is null ? empty(steps, n, 4 * hidden, hPrev.dtype, hPrev.device) : zeros(steps, n, 4 * hidden, hPrev.dtype, hPrev.device);
        // The one per-step temporary, reused by every step (the saved tensors must stay as they are: a retained graph
        // runs this backward again).
        var dsBuffer = empty(n, hidden, hPrev.dtype, hPrev.device);

        for (int k = 0; k < steps; k++)
        {
            int t = reverse ? k : steps - 1 - k;
            long m = active?[t] ?? n;
            Tensor a = saved[1 + t], cPrev = saved[1 + steps + t], tc = saved[1 + 2 * steps + t];
            var i = a.narrow(1, 0, hidden);
            var f = a.narrow(1, hidden, hidden);
            var g = a.narrow(1, 2 * hidden, hidden);
            var o = a.narrow(1, 3 * hidden, hidden);
            var dcm = dc.narrow(0, 0, m);
            // dh_t = carried + output gradient (in place: dh's rows are overwritten by dh_{t−1} at the end of the step);
            // dc_t = carried + dh_t ⊙ o ⊙ (1 − tanh²c_t).
            var dhT = dh.narrow(0, 0, m).add_(dOut[t].narrow(0, 0, m));
            var ds = dsBuffer.narrow(0, 0, m).fill_(PinnedScalars.One).addcmul_(tc, tc, PinnedScalars.MinusOne).mul_(o);
            dcm.addcmul_(dhT, ds, PinnedScalars.One);
            // dG_t = [dc·g·i(1−i), dc·c_{t−1}·f(1−f), dc·i·(1−g²), dh·tanh c·o(1−o)].
            var dg = dG[t].narrow(0, 0, m).copy_(a).addcmul_(a, a, PinnedScalars.MinusOne);
            var dgG = dg.narrow(1, 2 * hidden, hidden).fill_(PinnedScalars.One).addcmul_(g, g, PinnedScalars.MinusOne);
            dg.narrow(1, 0, hidden).mul_(g);
            dg.narrow(1, hidden, hidden).mul_(cPrev);
            dgG.mul_(i);
            var dgO = dg.narrow(1, 3 * hidden, hidden).mul_(tc);
            dg.narrow(1, 0, 3 * hidden).view(m, 3, hidden).mul_(dcm.unsqueeze(1));
            dgO.mul_(dhT);
            dcm.mul_(f);
            // dh_{t−1} = dG_t W_hh, over dh_t's rows (beta 0).
            dhT.addmm_(dg, wHh, 0, 1);
        }
        // dW_hh = Σ_t dG_tᵀ h_{t−1}: one product over all T·N rows.
        var dW = dG.view(steps * n, 4 * hidden).t().mm(hPrev.view(steps * n, hidden));
        dG.MoveToOuterDisposeScope();
        dh.MoveToOuterDisposeScope();
        dc.MoveToOuterDisposeScope();
        dW.MoveToOuterDisposeScope();
        return new List<Tensor> { dG, dh, dc, dW, null!, null! };
    }
}
