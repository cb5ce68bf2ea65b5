using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Selects entries <paramref name="index"/> along <paramref name="dim"/> (torch.index_select; indices may
    /// repeat, negative ones count from the end). Output: x's shape with dim's size = index.Length. The
    /// gradient is index-added back (repeated indices accumulate).
    /// </summary>
    public static Tensor IndexSelect(Tensor x, int dim, int[] index)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(index);
        if (x.Rank == 0) x = Reshape(x, 1);
        int d = Shapes.NormalizeDim(dim, x.Rank);
        var idx = CheckIndices(index, x.Shape[d], "index_select", x.Shape, d);
        var shape = (int[])x.Shape.Clone();
        shape[d] = idx.Length;
        var y = Tensor.Zeros(shape);
        var (outer, inner) = OuterInner(x.Shape, d);
        Indexing.IndexSelect(x.Data, idx, y.Data, outer, x.Shape[d], inner);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new IndexSelectNode(x, d, idx));
        return y;
    }

    /// <summary>
    /// torch.gather: out[p] = x[p with p[dim] := index[p]]; <paramref name="index"/> is row-major with shape
    /// <paramref name="indexShape"/> (x's rank; indexShape[k] ≤ x.Shape[k] for k ≠ dim); the output has
    /// indexShape. The gradient is scatter-added back.
    /// </summary>
    public static Tensor Gather(Tensor x, int dim, int[] index, int[] indexShape)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(index); ArgumentNullException.ThrowIfNull(indexShape);
        int d = Shapes.NormalizeDim(dim, x.Rank);
        CheckIndexShape(index, indexShape, x.Shape, d, "gather", "input");
        var idx = CheckIndices(index, x.Shape[d], "gather", x.Shape, d);
        var y = Tensor.Zeros(indexShape);
        Indexing.Gather(x.Data, x.Shape, idx, indexShape, d, y.Data);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new GatherNode(x, d, idx, (int[])indexShape.Clone()));
        return y;
    }

    /// <summary>
    /// torch.scatter_add (out of place): out = self; out[p with p[dim] := index[p]] += src[p] for every p of
    /// <paramref name="indexShape"/> (indexShape[k] ≤ src.Shape[k], and ≤ self.Shape[k] for k ≠ dim).
    /// ∂self = g; ∂src = gather(g, dim, index) (zero outside the index region).
    /// </summary>
    public static Tensor ScatterAdd(Tensor self, int dim, int[] index, int[] indexShape, Tensor src)
    {
        ArgumentNullException.ThrowIfNull(self); ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(index); ArgumentNullException.ThrowIfNull(indexShape);
        int d = Shapes.NormalizeDim(dim, self.Rank);
        CheckIndexShape(index, indexShape, self.Shape, d, "scatter_add", "self");
        if (src.Rank != indexShape.Length || Enumerable.Range(0, src.Rank).Any(k => indexShape[k] > src.Shape[k]))
            throw new ArgumentException($"scatter_add: index shape {Shapes.Format(indexShape)} must not exceed src shape {Shapes.Format(src.Shape)}");
        var idx = CheckIndices(index, self.Shape[d], "scatter_add", self.Shape, d);
        var y = Tensor.FromArray((float[])self.Data.Clone(), self.Shape);
        Indexing.ScatterAdd(src.Data, src.Shape, idx, indexShape, d, y.Data, y.Shape);
        if (GradMode.ShouldRecord(self, src)) y.SetGradFn(new ScatterAddNode(self, src, d, idx, (int[])indexShape.Clone()));
        return y;
    }

    /// <summary>
    /// torch.masked_select: the elements of x where mask ≠ 0 (x and mask broadcast together), in row-major
    /// order, as a 1-D tensor. The gradient is scattered back (and summed over broadcast dims of x).
    /// </summary>
    public static Tensor MaskedSelect(Tensor x, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(mask);
        var shape = Shapes.Broadcast(x.Shape, mask.Shape);
        var m = Expand(mask.Data, mask.Shape, shape);
        var xe = Expand(x.Data, x.Shape, shape);
        var positions = new List<int>();
        for (int i = 0; i < m.Length; i++) if (m[i] != 0) positions.Add(i);
        var pos = positions.ToArray();
        var y = Tensor.Zeros(pos.Length);
        for (int i = 0; i < pos.Length; i++) y.Data[i] = xe[pos[i]];
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new MaskedSelectNode(x, shape, pos));
        return y;
    }

    /// <summary>
    /// torch.nonzero: the multi-indices of the non-zero elements of x in row-major order, as a
    /// [count, rank] array. Not differentiable.
    /// </summary>
    public static int[,] Nonzero(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int count = 0;
        foreach (float v in x.Data) if (v != 0) count++;
        var r = new int[count, x.Rank];
        int row = 0;
        for (int i = 0; i < x.Numel; i++)
        {
            if (x.Data[i] == 0) continue;
            int rem = i;
            for (int k = x.Rank - 1; k >= 0; k--) { r[row, k] = rem % x.Shape[k]; rem /= x.Shape[k]; }
            row++;
        }
        return r;
    }

    /// <summary>
    /// torch.topk: the <paramref name="k"/> largest (or smallest) entries along <paramref name="dim"/>, sorted
    /// (descending for largest) when <paramref name="sorted"/>, else in index order. NaN counts as larger
    /// than every number; ties keep the lower index first. Returns the values (differentiable: the gradient is
    /// scattered back to the chosen positions) and their indices along dim (row-major, the values' shape).
    /// </summary>
    public static (Tensor Values, int[] Indices) TopK(Tensor x, int k, int dim = -1, bool largest = true, bool sorted = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        var xr = x.Rank == 0 ? Reshape(x, 1) : x;
        int d = Shapes.NormalizeDim(dim, xr.Rank), size = xr.Shape[d];
        if (k < 0 || k > size) throw new ArgumentOutOfRangeException(nameof(k), $"topk: k = {k} is outside [0, {size}] for dimension {d} of shape {Shapes.Format(x.Shape)}");
        var (outer, inner) = OuterInner(xr.Shape, d);
        var shape = (int[])xr.Shape.Clone();
        shape[d] = k;
        var values = Tensor.Zeros(shape);
        var indices = new int[values.Numel];
        var order = new int[size];
        var keys = BufferArena.Allocate(size);
        Comparison<int> cmp = largest
            ? (a, b) => { int c = Rank(keys[b]).CompareTo(Rank(keys[a])); return c != 0 ? c : a.CompareTo(b); }
            : (a, b) => { int c = Rank(keys[a]).CompareTo(Rank(keys[b])); return c != 0 ? c : a.CompareTo(b); };
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                for (int j = 0; j < size; j++) { order[j] = j; keys[j] = xr.Data[(o * size + j) * inner + i]; }
                Array.Sort(order, cmp);
                if (!sorted) Array.Sort(order, 0, k);
                for (int j = 0; j < k; j++)
                {
                    int dst = (o * k + j) * inner + i;
                    indices[dst] = order[j];
                    values.Data[dst] = keys[order[j]];
                }
            }
        if (x.Rank == 0) values = Tensor.FromArray(values.Data, []);
        if (GradMode.ShouldRecord(x)) values.SetGradFn(new GatherNode(x, x.Rank == 0 ? -1 : d, indices, values.Shape));
        return (values, indices);
    }

    /// <summary>
    /// Index of the maximum along <paramref name="dim"/> (the first one at ties; NaN counts as the maximum,
    /// like torch.argmax), row-major over x's shape without dim.
    /// </summary>
    public static int[] Argmax(Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        var xr = x.Rank == 0 ? Reshape(x, 1) : x;
        int d = Shapes.NormalizeDim(dim, xr.Rank), size = xr.Shape[d];
        if (size == 0) throw new ArgumentException($"argmax over the empty dimension {d} of shape {Shapes.Format(x.Shape)}");
        var (outer, inner) = OuterInner(xr.Shape, d);
        var r = new int[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                float bv = xr.Data[o * size * inner + i];
                for (int j = 1; j < size && !float.IsNaN(bv); j++)
                {
                    float v = xr.Data[(o * size + j) * inner + i];
                    if (v > bv || float.IsNaN(v)) { bv = v; best = j; }
                }
                r[o * inner + i] = best;
            }
        return r;
    }

    /// <summary>Flat (row-major) index of the maximum of all elements (first at ties; NaN wins).</summary>
    public static int Argmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Argmax(Reshape(x, -1), 0)[0];
    }

    private static float Rank(float v) => float.IsNaN(v) ? float.PositiveInfinity : v;

    private static int[] CheckIndices(int[] index, int size, string op, int[] shape, int dim)
    {
        var r = new int[index.Length];
        for (int i = 0; i < index.Length; i++)
        {
            int v = index[i] < 0 ? index[i] + size : index[i];
            if (v < 0 || v >= size)
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {index[i]} is out of range for dimension {dim} of size {size} (shape {Shapes.Format(shape)})");
            r[i] = v;
        }
        return r;
    }

    private static void CheckIndexShape(int[] index, int[] indexShape, int[] shape, int dim, string op, string what)
    {
        if (Shapes.Numel(indexShape) != index.Length)
            throw new ArgumentException($"{op}: {index.Length} indices do not fill the index shape {Shapes.Format(indexShape)}");
        if (indexShape.Length != shape.Length)
            throw new ArgumentException($"{op}: index shape {Shapes.Format(indexShape)} must have the rank of the {what} shape {Shapes.Format(shape)}");
        for (int k = 0; k < shape.Length; k++)
            if (k != dim && indexShape[k] > shape[k])
                throw new ArgumentException($"{op}: index shape {Shapes.Format(indexShape)} exceeds the {what} shape {Shapes.Format(shape)} in dimension {k}");
    }

    private sealed class IndexSelectNode(Tensor x, int dim, int[] index) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var shape = Inputs[0].Shape;
            var dx = Tensor.Zeros(shape);
            var (outer, inner) = OuterInner(shape, dim);
            Indexing.IndexAdd(g.Data, index, dx.Data, outer, shape[dim], inner);
            return [dx];
        }
    }

    /// <summary>Backward of gather-like ops (gather, topk): scatter-add g into zeros of x's shape.</summary>
    private sealed class GatherNode(Tensor x, int dim, int[] index, int[] indexShape) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var x = Inputs[0];
            if (dim < 0) return [Tensor.FromArray((float[])g.Data.Clone(), x.Shape)]; // scalar topk
            var dx = Tensor.Zeros(x.Shape);
            Indexing.ScatterAdd(g.Data, indexShape, index, indexShape, dim, dx.Data, x.Shape);
            return [dx];
        }
    }

    private sealed class ScatterAddNode(Tensor self, Tensor src, int dim, int[] index, int[] indexShape) : Node(self, src)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            Tensor? gs = null;
            if (NeedsGrad(1))
            {
                var src = Inputs[1];
                var gathered = BufferArena.Allocate(index.Length);
                Indexing.Gather(g.Data, g.Shape, index, indexShape, dim, gathered);
                gs = Tensor.Zeros(src.Shape);
                Layout.CopyRegion(gathered, indexShape, gs.Data, src.Shape);
            }
            return [NeedsGrad(0) ? g : null, gs];
        }
    }

    private sealed class MaskedSelectNode(Tensor x, int[] shape, int[] positions) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var full = BufferArena.Allocate(Shapes.Numel(shape));
            for (int i = 0; i < positions.Length; i++) full[positions[i]] = g.Data[i];
            return [SumTo(Tensor.FromArray(full, shape), Inputs[0].Shape)];
        }
    }
}
