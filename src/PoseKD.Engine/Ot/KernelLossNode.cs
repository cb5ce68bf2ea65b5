using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Ot;

/// <summary>Autograd node of the batched kernel (MMD) losses; recomputes the kernel sums in backward.</summary>
internal sealed class KernelLossNode(Tensor alpha, Tensor x, Tensor beta, Tensor y, CloudBatchLayout layout,
    SamplesLossKind kind, double blur, int d) : Node(alpha, x, beta, y)
{
    public override string Name => $"{kind}KernelLossBackward";

    public override Tensor?[] Backward(Tensor gradOutput)
    {
        Tensor alpha = Inputs[0], x = Inputs[1], beta = Inputs[2], y = Inputs[3];
        Tensor? da = NeedsGrad(0) ? Tensor.ZerosLike(alpha) : null;
        Tensor? dx = NeedsGrad(1) ? Tensor.ZerosLike(x) : null;
        Tensor? db = NeedsGrad(2) ? Tensor.ZerosLike(beta) : null;
        Tensor? dy = NeedsGrad(3) ? Tensor.ZerosLike(y) : null;
        float[] g = gradOutput.Data;
        long cost = (long)(layout.MaxX + layout.MaxY) * (layout.MaxX + layout.MaxY) * 2;
        Parallelism.For(layout.Count, cost, (start, end) =>
        {
            for (int b = start; b < end; b++)
            {
                if (g[b] == 0) continue;
                int n = layout.XCounts[b], m = layout.YCounts[b], ox = layout.XOffset(b), oy = layout.YOffset(b);
                KernelLossKernels.Backward(kind, x.Data.AsSpan(ox * d, n * d), y.Data.AsSpan(oy * d, m * d),
                    alpha.Data.AsSpan(ox, n), beta.Data.AsSpan(oy, m), blur, g[b],
                    dx is null ? default : dx.Data.AsSpan(ox * d, n * d), dy is null ? default : dy.Data.AsSpan(oy * d, m * d),
                    da is null ? default : da.Data.AsSpan(ox, n), db is null ? default : db.Data.AsSpan(oy, m), n, m, d);
            }
        });
        return [da, dx, db, dy];
    }
}
