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
/// Forward runs the loop without autograd and saves the gate activations, the states entering each step and tanh(c).
/// Backward walks back in time computing, per step, only the gate gradients dG_t (elementwise, from factors
/// precomputed for all steps at once) and the one product dh_{t−1} = dG_t W_hh that the recursion needs. Then
/// dW_hh = Σ_t dG_tᵀ h_{t−1} is ONE matrix product over all T·N rows (as cuDNN does), and dG itself is returned as
/// the gradient of P, so autograd's backward of the input projection forms dW_ih, dx and the biases' gradients with
/// one large product each.
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
        // One output, (T + 2, N, H) = [y; h_T; c_T], so the backward always gets one defined gradient (see forward).
        var r = apply(projected, h0, c0, weightHh, active!, reverse)[0];
        int steps = (int)projected.shape[0];
        return (r.narrow(0, 0, steps), r[steps], r[steps + 1]);
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
        // gates: pre-activations, turned into the activations [i, f, g, o] in place step by step. The other buffers
        // start at zero so that rows outside a step hold finite values (they meet zero gate gradients in backward).
        var gates = empty(steps, n, 4 * hidden, p.dtype, p.device);
        gates.copy_(p);
        var hPrev = zeros(steps, n, hidden, p.dtype, p.device);
        var cPrev = zeros(steps, n, hidden, p.dtype, p.device);
        var tanhC = zeros(steps, n, hidden, p.dtype, p.device);
        // y, then h and c as the last two rows: the state is updated in place there and ends as h_T, c_T.
        var output = zeros(steps + 2, n, hidden, p.dtype, p.device);
        var h = output[steps].copy_((Tensor)vars[1]);
        var c = output[steps + 1].copy_((Tensor)vars[2]);
        var wT = wHh.t();
        for (int k = 0; k < steps; k++)
        {
            int t = reverse ? steps - 1 - k : k;
            long m = active?[t] ?? n;
            var hm = h.narrow(0, 0, m);
            var cm = c.narrow(0, 0, m);
            hPrev[t].narrow(0, 0, m).copy_(hm);
            cPrev[t].narrow(0, 0, m).copy_(cm);
            var a = gates[t].narrow(0, 0, m);
            a.addmm_(hm, wT);
            a.narrow(1, 0, 2 * hidden).sigmoid_();
            var g = a.narrow(1, 2 * hidden, hidden).tanh_();
            var o = a.narrow(1, 3 * hidden, hidden).sigmoid_();
            var cNew = a.narrow(1, hidden, hidden).mul(cm).addcmul_(a.narrow(1, 0, hidden), g, PinnedScalars.One);
            var tc = tanhC[t].narrow(0, 0, m).copy_(cNew).tanh_();
            var hNew = output[t].narrow(0, 0, m).copy_(tc).mul_(o);
            hm.copy_(hNew);
            cm.copy_(cNew);
        }
        // TorchSharp 0.107 workaround: a function with several outputs gets, for an output the loss does not use, either
        // a zero gradient materialized from a template tensor that Function.apply created in the caller's dispose scope
        // (already disposed by then: the test host crashes with "Tensor invalid -- empty handle"), or, with
        // set_materialize_grads(false), a handle-less Tensor that stays counted as live forever (DisposeScopeManager
        // statistics; Dispose does not uncount it). One output [y; h_T; c_T] avoids both: its gradient is defined
        // whenever backward runs (the views' backward fills the unused parts with zeros). Guarded by
        // ComposedGemm_BackwardTwiceWithRetainedGraph_GivesTheSameGradients and TrainerTests'
        // Fit_ManyEpochs_LiveTensorCountStaysFlat (which only uses h_T).
        ctx.save_data("reverse", reverse);
        if (active is not null) ctx.save_data("active", active);
        // Saved after this method returns (once the outputs are wrapped), so our own tensors must outlive this
        // scope; the inputs (W_hh is a parameter) belong to the caller and must not be moved.
        var saved = new List<Tensor> { gates, hPrev, cPrev, tanhC };
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
        var active = ctx.get_data("active") as long[];
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        Tensor gates = saved[0], hPrev = saved[1], cPrev = saved[2], tanhC = saved[3], wHh = saved[4];
        int steps = (int)gates.shape[0];
        long n = gates.shape[1], hidden = hPrev.shape[2];
        var dOut = gradOutputs[0];
        var dY = dOut.narrow(0, 0, steps);
        // dh and dc are updated in place, row block by row block: our own copies.
        var dh = dOut[steps].clone();
        var dc = dOut[steps + 1].clone();

        var i = gates.narrow(2, 0, hidden);
        var f = gates.narrow(2, hidden, hidden);
        var g = gates.narrow(2, 2 * hidden, hidden);
        var o = gates.narrow(2, 3 * hidden, hidden);
        // For all steps at once: dc_t += dh_t ⊙ s_t with s = o ⊙ (1 − tanh²c), and the gate gradients
        // dG_t = [dc_t, dc_t, dc_t, dh_t] ⊙ r_t with r = [g·i(1−i), c_{t−1}·f(1−f), i·(1−g²), tanh c·o(1−o)].
        var s = tanhC.square().neg_().add_(PinnedScalars.One, PinnedScalars.One).mul_(o);
        var r = gates.neg().add_(PinnedScalars.One, PinnedScalars.One).mul_(gates);
        r.narrow(2, 2 * hidden, hidden).copy_(g.square().neg_().add_(PinnedScalars.One, PinnedScalars.One));
        r.mul_(cat(new[] { g, cPrev, i, tanhC }, 2));

        for (int k = 0; k < steps; k++)
        {
            int t = reverse ? k : steps - 1 - k;
            long m = active?[t] ?? n;
            var rt = r[t];
            if (m < n) rt.narrow(0, m, n - m).zero_();
            rt = rt.narrow(0, 0, m);
            var dhm = dh.narrow(0, 0, m);
            var dcm = dc.narrow(0, 0, m);
            var dhT = dhm.add(dY[t].narrow(0, 0, m), PinnedScalars.One);
            var dcT = dcm.addcmul(dhT, s[t].narrow(0, 0, m), PinnedScalars.One);
            rt.narrow(1, 0, 3 * hidden).view(m, 3, hidden).mul_(dcT.unsqueeze(1));
            rt.narrow(1, 3 * hidden, hidden).mul_(dhT);
            dhm.copy_(rt.mm(wHh));
            dcm.copy_(dcT.mul_(f[t].narrow(0, 0, m)));
        }
        var dW = r.view(steps * n, 4 * hidden).t().mm(hPrev.view(steps * n, hidden));
        r.MoveToOuterDisposeScope();
        dh.MoveToOuterDisposeScope();
        dc.MoveToOuterDisposeScope();
        dW.MoveToOuterDisposeScope();
        return new List<Tensor> { r, dh, dc, dW, null!, null! };
    }
}
