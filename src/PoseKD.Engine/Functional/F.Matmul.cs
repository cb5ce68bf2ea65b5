using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Matrix product C = A·B through <see cref="Gemm.Sgemm"/>. A: [..., m, k], B: [..., k, n] → [..., m, n]; both
    /// ranks ≥ 2; the leading (batch) dimensions broadcast (so [m, k]·[b, k, n] and [b, m, k]·[k, n] work).
    /// ∂A = G·Bᵀ, ∂B = Aᵀ·G (summed over broadcast batches).
    /// </summary>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"matmul needs operands of rank >= 2, got shapes {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}");
        int m = a.Shape[^2], k = a.Shape[^1], n = b.Shape[^1];
        if (b.Shape[^2] != k)
            throw new ArgumentException($"matmul: inner dimensions differ for shapes {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}");
        var plan = new MatmulPlan(a.Shape, b.Shape);
        var shape = plan.BatchShape.Append(m).Append(n).ToArray();
        var y = Tensor.Zeros(shape);
        for (int bi = 0; bi < plan.Batches; bi++)
        {
            var (oa, ob) = plan.Offsets(bi);
            Gemm.Sgemm(false, false, m, n, k, 1f, a.Data.AsSpan(oa * m * k, m * k), k, b.Data.AsSpan(ob * k * n, k * n), n,
                0f, y.Data.AsSpan(bi * m * n, m * n), n);
        }
        if (GradMode.ShouldRecord(a, b)) y.SetGradFn(new MatmulNode(a, b, plan));
        return y;
    }

    /// <summary>Batch-dimension broadcasting of a matmul: matrix offsets of A and B for each output batch.</summary>
    private sealed class MatmulPlan
    {
        private readonly int[] _strideA, _strideB;

        public MatmulPlan(int[] aShape, int[] bShape)
        {
            var ba = aShape[..^2];
            var bb = bShape[..^2];
            try { BatchShape = Shapes.Broadcast(ba, bb); }
            catch (ArgumentException) { throw new ArgumentException($"matmul: batch dimensions of {Shapes.Format(aShape)} and {Shapes.Format(bShape)} do not broadcast"); }
            _strideA = Shapes.BroadcastStrides(ba, BatchShape);
            _strideB = Shapes.BroadcastStrides(bb, BatchShape);
            Batches = Shapes.Numel(BatchShape);
        }

        public int[] BatchShape { get; }
        public int Batches { get; }

        public (int A, int B) Offsets(int batch)
        {
            int oa = 0, ob = 0, rem = batch;
            for (int i = BatchShape.Length - 1; i >= 0; i--)
            {
                int j = rem % BatchShape[i]; rem /= BatchShape[i];
                oa += j * _strideA[i]; ob += j * _strideB[i];
            }
            return (oa, ob);
        }
    }

    private sealed class MatmulNode(Tensor a, Tensor b, MatmulPlan plan) : Node(a, b)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            Tensor a = Inputs[0], b = Inputs[1];
            int m = a.Shape[^2], k = a.Shape[^1], n = b.Shape[^1];
            Tensor? ga = NeedsGrad(0) ? Tensor.Zeros(a.Shape) : null;
            Tensor? gb = NeedsGrad(1) ? Tensor.Zeros(b.Shape) : null;
            for (int bi = 0; bi < plan.Batches; bi++)
            {
                var (oa, ob) = plan.Offsets(bi);
                var gs = g.Data.AsSpan(bi * m * n, m * n);
                if (ga is not null) // dA[m×k] += G[m×n]·B[k×n]ᵀ
                    Gemm.Sgemm(false, true, m, k, n, 1f, gs, n, b.Data.AsSpan(ob * k * n, k * n), n, 1f, ga.Data.AsSpan(oa * m * k, m * k), k);
                if (gb is not null) // dB[k×n] += A[m×k]ᵀ·G[m×n]
                    Gemm.Sgemm(true, false, k, n, m, 1f, a.Data.AsSpan(oa * m * k, m * k), k, gs, n, 1f, gb.Data.AsSpan(ob * k * n, k * n), n);
            }
            return [ga, gb];
        }
    }
}
