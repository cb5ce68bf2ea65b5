using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    private enum ReduceKind { Sum, Mean, Max, LogSumExp }

    /// <summary>
    /// Σ over <paramref name="dims"/> (null or empty = all dimensions, like PyTorch 1.13; negative dims count from
    /// the end); keeps reduced dimensions as size 1 when <paramref name="keepDim"/>. Σ over a 0-size dimension is 0.
    /// </summary>
    public static Tensor Sum(Tensor x, int[]? dims = null, bool keepDim = false) => ReduceOp(x, dims, keepDim, ReduceKind.Sum);

    /// <summary>Σ over one dimension.</summary>
    public static Tensor Sum(Tensor x, int dim, bool keepDim = false) => ReduceOp(x, [dim], keepDim, ReduceKind.Sum);

    /// <summary>Mean over <paramref name="dims"/> (null or empty = all): Σx / count (NaN for an empty reduction).</summary>
    public static Tensor Mean(Tensor x, int[]? dims = null, bool keepDim = false) => ReduceOp(x, dims, keepDim, ReduceKind.Mean);

    /// <summary>Mean over one dimension.</summary>
    public static Tensor Mean(Tensor x, int dim, bool keepDim = false) => ReduceOp(x, [dim], keepDim, ReduceKind.Mean);

    /// <summary>
    /// Maximum over <paramref name="dims"/> (null or empty = all), like <c>torch.amax</c>: the gradient is split
    /// evenly among tied maxima. Throws for an empty reduction.
    /// </summary>
    public static Tensor Max(Tensor x, int[]? dims = null, bool keepDim = false) => ReduceOp(x, dims, keepDim, ReduceKind.Max);

    /// <summary>Maximum over one dimension (amax semantics; see <see cref="Max(Tensor, int[], bool)"/>).</summary>
    public static Tensor Max(Tensor x, int dim, bool keepDim = false) => ReduceOp(x, [dim], keepDim, ReduceKind.Max);

    /// <summary>
    /// log Σ exp x over <paramref name="dims"/> (null or empty = all), computed as m + log Σ exp(x − m) with m the
    /// maximum (stable for large magnitudes); ∂ = g·exp(x − y) (the softmax).
    /// </summary>
    public static Tensor LogSumExp(Tensor x, int[]? dims = null, bool keepDim = false) => ReduceOp(x, dims, keepDim, ReduceKind.LogSumExp);

    /// <summary>log Σ exp over one dimension.</summary>
    public static Tensor LogSumExp(Tensor x, int dim, bool keepDim = false) => ReduceOp(x, [dim], keepDim, ReduceKind.LogSumExp);

    private static Tensor ReduceOp(Tensor x, int[]? dims, bool keepDim, ReduceKind kind)
    {
        ArgumentNullException.ThrowIfNull(x);
        var nd = dims is null || dims.Length == 0 ? Shapes.NormalizeDims(null, x.Rank) : Shapes.NormalizeDims(dims, x.Rank);
        var keepShape = (int[])x.Shape.Clone();
        int count = 1;
        foreach (int d in nd) { count *= x.Shape[d]; keepShape[d] = 1; }
        if (kind == ReduceKind.Max && count == 0)
            throw new ArgumentException($"max over an empty dimension set of a tensor of shape {Shapes.Format(x.Shape)} is undefined");
        var data = ReduceRaw(x.Data, x.Shape, nd, kind == ReduceKind.Mean ? ReduceKind.Sum : kind);
        if (kind == ReduceKind.Mean)
        {
            float inv = 1f / count;
            if (count == 0) Array.Fill(data, float.NaN);
            else for (int i = 0; i < data.Length; i++) data[i] *= inv;
        }
        int[] outShape = keepDim ? keepShape : x.Shape.Where((_, i) => Array.IndexOf(nd, i) < 0).ToArray();
        var y = Tensor.FromArray(data, outShape);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new ReduceNode(x, y, keepShape, count, kind));
        return y;
    }

    /// <summary>
    /// Reduces <paramref name="x"/> over the sorted dims; the result has the keep-dim shape's element order.
    /// Each maximal run of adjacent reduced dimensions (size-1 dimensions ignored) is one [outer, r, inner]
    /// kernel call, the last run first, so no permutation copy is needed (sum, max and logsumexp all compose:
    /// reducing a set of dims equals reducing its runs one after another).
    /// </summary>
    private static float[] ReduceRaw(float[] x, int[] shape, int[] dims, ReduceKind kind)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int dd in dims) reduced[dd] = true;
        var runs = new List<(int First, int Last)>();
        for (int i = 0; i < rank; i++)
        {
            if (shape[i] == 1) continue;
            if (!reduced[i]) continue;
            bool extend = runs.Count > 0 && Enumerable.Range(runs[^1].Last + 1, i - runs[^1].Last - 1).All(j => shape[j] == 1);
            if (extend) runs[^1] = (runs[^1].First, i); else runs.Add((i, i));
        }
        int outN = 1;
        for (int i = 0; i < rank; i++) if (!reduced[i]) outN *= shape[i];
        if (runs.Count == 0 || outN == 0)
        {
            // Only size-1 dims are reduced (a copy), or the result is empty.
            var copy = BufferArena.Allocate(outN);
            if (outN > 0) x.AsSpan(0, outN).CopyTo(copy);
            return copy;
        }
        var cur = x;
        var curShape = (int[])shape.Clone();
        for (int ri = runs.Count - 1; ri >= 0; ri--)
        {
            var (first, last) = runs[ri];
            int outer = 1, r = 1, inner = 1;
            for (int i = 0; i < first; i++) outer *= curShape[i];
            for (int i = first; i <= last; i++) r *= curShape[i];
            for (int i = last + 1; i < rank; i++) inner *= curShape[i];
            var d = BufferArena.Allocate(outer * inner);
            var src = cur;
            long cost = (long)r * inner * (kind == ReduceKind.LogSumExp ? 8 : 1);
            Parallelism.For(outer, cost, (s, e) =>
            {
                ReadOnlySpan<float> xs = src.AsSpan(s * r * inner, (e - s) * r * inner);
                Span<float> ds = d.AsSpan(s * inner, (e - s) * inner);
                switch (kind)
                {
                    case ReduceKind.Sum: Reduce.Sum(xs, ds, e - s, r, inner); break;
                    case ReduceKind.Max: Reduce.Max(xs, ds, e - s, r, inner); break;
                    default: Reduce.LogSumExp(xs, ds, e - s, r, inner); break;
                }
            });
            for (int i = first; i <= last; i++) curShape[i] = 1;
            cur = d;
        }
        return cur;
    }

    private sealed class ReduceNode(Tensor x, Tensor y, int[] keepShape, int count, ReduceKind kind) : Node(x)
    {
        private Tensor? _y = kind is ReduceKind.Max or ReduceKind.LogSumExp ? y : null;

        public override string Name => kind + "Backward";

        protected override void ReleaseSaved() => _y = null;

        public override Tensor?[] Backward(Tensor g)
        {
            var x = Inputs[0];
            var gk = Reshape(g, keepShape);
            switch (kind)
            {
                case ReduceKind.Sum:
                    return [Tensor.FromArray(Expand(gk.Data, keepShape, x.Shape), x.Shape)];
                case ReduceKind.Mean:
                    return [Tensor.FromArray(Expand(Div(gk, count).Data, keepShape, x.Shape), x.Shape)];
                case ReduceKind.Max:
                    {
                        var yk = Reshape(_y!, keepShape);
                        var mask = Eq(x, yk);
                        int[] dims = Enumerable.Range(0, x.Rank).Where(i => keepShape[i] == 1 && x.Shape[i] != 1).ToArray();
                        var ties = dims.Length == 0 ? mask : Sum(mask, dims, keepDim: true);
                        return [Mul(mask, Div(gk, ties))];
                    }
                default:
                    {
                        var yk = Reshape(_y!, keepShape);
                        return [Mul(Exp(Sub(x, yk)), gk)];
                    }
            }
        }
    }
}
