using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Ot;

/// <summary>
/// Autograd node of the batched Sinkhorn divergence: holds the final potentials and final-step softmin arguments
/// of every problem and, given ∂L/∂S_b, returns ∂L/∂α = g·termX, ∂L/∂β = g·termY and the point gradients of the
/// final extrapolation step (<see cref="SinkhornKernels.SoftminGradient"/>).
/// </summary>
internal sealed class SinkhornNode(Tensor alpha, Tensor x, Tensor beta, Tensor y, CloudBatchLayout layout,
    SinkhornNode.Saved saved, int p, double eps, double lambda, bool debias, int d) : Node(alpha, x, beta, y)
{
    private Saved? _saved = saved;

    /// <summary>Per-point buffers of the forward pass, packed like the inputs.</summary>
    internal sealed class Saved(int totalX, int totalY, bool debias)
    {
        public readonly double[] FAb = new double[totalX], GAb = new double[totalY];
        public readonly double[] FAa = debias ? new double[totalX] : [], GBb = debias ? new double[totalY] : [];
        public readonly double[] HAb = new double[totalY], HBa = new double[totalX];
        public readonly double[] HAa = debias ? new double[totalX] : [], HBb = debias ? new double[totalY] : [];
        public readonly double[] TermX = new double[totalX], TermY = new double[totalY];
        public readonly double[] CoefAb = new double[totalX], CoefBa = new double[totalY];
        public readonly double[] CoefAa = debias ? new double[totalX] : [], CoefBb = debias ? new double[totalY] : [];
    }

    public override string Name => "SinkhornDivergenceBackward";

    public override Tensor?[] Backward(Tensor gradOutput)
    {
        var s = _saved ?? throw new InvalidOperationException("SinkhornNode: saved buffers were released");
        Tensor alpha = Inputs[0], x = Inputs[1], beta = Inputs[2], y = Inputs[3];
        Tensor? da = NeedsGrad(0) ? Tensor.ZerosLike(alpha) : null;
        Tensor? dx = NeedsGrad(1) ? Tensor.ZerosLike(x) : null;
        Tensor? db = NeedsGrad(2) ? Tensor.ZerosLike(beta) : null;
        Tensor? dy = NeedsGrad(3) ? Tensor.ZerosLike(y) : null;
        float[] g = gradOutput.Data, xd = x.Data, yd = y.Data;
        int maxSide = Math.Max(layout.MaxX, layout.MaxY);
        long cost = (long)layout.MaxX * layout.MaxY * 4;
        Parallelism.For(layout.Count, cost, (start, end) =>
        {
            var row = new double[maxSide * maxSide];
            for (int b = start; b < end; b++)
            {
                double gb = g[b];
                if (gb == 0) continue;
                int n = layout.XCounts[b], m = layout.YCounts[b], ox = layout.XOffset(b), oy = layout.YOffset(b);
                if (da is not null) for (int i = 0; i < n; i++) da.Data[ox + i] += (float)(gb * s.TermX[ox + i]);
                if (db is not null) for (int j = 0; j < m; j++) db.Data[oy + j] += (float)(gb * s.TermY[oy + j]);
                var xs = xd.AsSpan(ox * d, n * d);
                var ys = yd.AsSpan(oy * d, m * d);
                if (dx is not null)
                {
                    var dxs = dx.Data.AsSpan(ox * d, n * d);
                    SinkhornKernels.SoftminGradient(xs, ys, s.HAb.AsSpan(oy, m), s.CoefAb.AsSpan(ox, n), dxs, row, eps, lambda, gb, p, n, m, d);
                    if (debias) SinkhornKernels.SoftminGradient(xs, xs, s.HAa.AsSpan(ox, n), s.CoefAa.AsSpan(ox, n), dxs, row, eps, lambda, gb, p, n, n, d);
                }
                if (dy is not null)
                {
                    var dys = dy.Data.AsSpan(oy * d, m * d);
                    SinkhornKernels.SoftminGradient(ys, xs, s.HBa.AsSpan(ox, n), s.CoefBa.AsSpan(oy, m), dys, row, eps, lambda, gb, p, m, n, d);
                    if (debias) SinkhornKernels.SoftminGradient(ys, ys, s.HBb.AsSpan(oy, m), s.CoefBb.AsSpan(oy, m), dys, row, eps, lambda, gb, p, m, m, d);
                }
            }
        });
        return [da, dx, db, dy];
    }

    protected override void ReleaseSaved() => _saved = null;
}
