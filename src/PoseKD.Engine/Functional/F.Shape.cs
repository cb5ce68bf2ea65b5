using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// The same data viewed with <paramref name="shape"/> (no copy; one entry may be −1 and is inferred).
    /// The gradient is reshaped back.
    /// </summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = InferShape(x, shape);
        if (Shapes.Equal(s, x.Shape) && !GradMode.ShouldRecord(x)) return Tensor.FromArray(x.Data, s);
        var y = Tensor.FromArray(x.Data, s);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new ReshapeNode(x));
        return y;
    }

    /// <summary>Flattens dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one (a reshape).</summary>
    public static Tensor Flatten(Tensor x, int startDim = 0, int endDim = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) return Reshape(x, 1);
        int s = Shapes.NormalizeDim(startDim, x.Rank), e = Shapes.NormalizeDim(endDim, x.Rank);
        if (e < s) throw new ArgumentException($"flatten: startDim {startDim} comes after endDim {endDim}");
        var shape = x.Shape.Take(s).Append(x.Shape[s..(e + 1)].Aggregate(1, (a, b) => a * b)).Concat(x.Shape.Skip(e + 1)).ToArray();
        return Reshape(x, shape);
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/> (−1 appends). A reshape.</summary>
    public static Tensor Unsqueeze(Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = Shapes.NormalizeDim(dim, x.Rank + 1);
        var shape = x.Shape.Take(d).Append(1).Concat(x.Shape.Skip(d)).ToArray();
        return Reshape(x, shape);
    }

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1 (else returns x unchanged, like PyTorch).</summary>
    public static Tensor Squeeze(Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) return x;
        int d = Shapes.NormalizeDim(dim, x.Rank);
        if (x.Shape[d] != 1) return x;
        return Reshape(x, x.Shape.Where((_, i) => i != d).ToArray());
    }

    /// <summary>A copy with its own data; the gradient passes through unchanged.</summary>
    public static Tensor Clone(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.FromArray((float[])x.Data.Clone(), x.Shape);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new ReshapeNode(x));
        return y;
    }

    /// <summary>
    /// Materialising permutation: output dimension k is input dimension dims[k]. The gradient is the
    /// inverse permutation of g.
    /// </summary>
    public static Tensor Permute(Tensor x, params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length != x.Rank) throw new ArgumentException($"permute needs {x.Rank} dimensions for shape {Shapes.Format(x.Shape)}, got [{string.Join(", ", dims)}]");
        var perm = new int[dims.Length];
        var seen = new bool[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            perm[i] = Shapes.NormalizeDim(dims[i], x.Rank);
            if (seen[perm[i]]) throw new ArgumentException($"permute: dimension {perm[i]} repeats in [{string.Join(", ", dims)}]");
            seen[perm[i]] = true;
        }
        var y = Tensor.FromArray(PermuteData(x.Data, x.Shape, perm), perm.Select(p => x.Shape[p]).ToArray());
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new PermuteNode(x, perm));
        return y;
    }

    /// <summary>Materialising swap of two dimensions (a <see cref="Permute"/>).</summary>
    public static Tensor Transpose(Tensor x, int dim0, int dim1)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = Shapes.NormalizeDim(dim0, x.Rank), b = Shapes.NormalizeDim(dim1, x.Rank);
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    /// <summary>
    /// Elements <paramref name="start"/> .. <paramref name="start"/>+<paramref name="length"/>−1 along
    /// <paramref name="dim"/> (materialised; negative start counts from the end). The gradient is scattered
    /// back into zeros.
    /// </summary>
    public static Tensor Narrow(Tensor x, int dim, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = Shapes.NormalizeDim(dim, x.Rank), size = x.Shape[d];
        if (start < 0) start += size;
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow [{start}, {start + length}) is outside dimension {d} of size {size} (shape {Shapes.Format(x.Shape)})");
        var shape = (int[])x.Shape.Clone();
        shape[d] = length;
        var y = Tensor.Zeros(shape);
        var (outer, inner) = OuterInner(x.Shape, d);
        Layout.CopySlab(x.Data, size, start, y.Data, length, 0, length, outer, inner);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new NarrowNode(x, d, start));
        return y;
    }

    /// <summary>
    /// Python-style slice along <paramref name="dim"/>: [start, end) clipped to the dimension (negative
    /// indices count from the end; null end = to the end). A <see cref="Narrow"/>.
    /// </summary>
    public static Tensor Slice(Tensor x, int dim, int start, int? end = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        int size = x.Shape[Shapes.NormalizeDim(dim, x.Rank)];
        int s = start < 0 ? Math.Max(0, start + size) : Math.Min(start, size);
        int e = end is null ? size : end.Value < 0 ? Math.Max(0, end.Value + size) : Math.Min(end.Value, size);
        return Narrow(x, dim, s, Math.Max(0, e - s));
    }

    /// <summary>
    /// Joins tensors along an existing dimension; all other dimensions must match. As in PyTorch, 1-D
    /// tensors of size 0 are skipped. The gradient is split back into the pieces.
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var parts = tensors.Where(t => !(t.Rank == 1 && t.Numel == 0)).ToArray();
        if (parts.Length == 0)
        {
            if (tensors.Count == 0) throw new ArgumentException("concat needs at least one tensor");
            return Tensor.Zeros(0);
        }
        var first = parts[0];
        int d = Shapes.NormalizeDim(dim, first.Rank);
        int total = 0;
        foreach (var t in parts)
        {
            if (t.Rank != first.Rank || Enumerable.Range(0, first.Rank).Any(i => i != d && t.Shape[i] != first.Shape[i]))
                throw new ArgumentException($"concat along dimension {d}: shape {Shapes.Format(t.Shape)} does not match {Shapes.Format(first.Shape)}");
            total += t.Shape[d];
        }
        var shape = (int[])first.Shape.Clone();
        shape[d] = total;
        var y = Tensor.Zeros(shape);
        var (outer, inner) = OuterInner(shape, d);
        int offset = 0;
        foreach (var t in parts)
        {
            Layout.CopySlab(t.Data, t.Shape[d], 0, y.Data, total, offset, t.Shape[d], outer, inner);
            offset += t.Shape[d];
        }
        if (GradMode.ShouldRecord(parts)) y.SetGradFn(new ConcatNode(parts, d));
        return y;
    }

    /// <summary>Stacks equally shaped tensors along a new dimension <paramref name="dim"/>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("stack needs at least one tensor");
        var s0 = tensors[0].Shape;
        foreach (var t in tensors)
            if (!Shapes.Equal(t.Shape, s0)) throw new ArgumentException($"stack: shape {Shapes.Format(t.Shape)} does not match {Shapes.Format(s0)}");
        int d = Shapes.NormalizeDim(dim, s0.Length + 1);
        var parts = tensors.Select(t => Unsqueeze(t, d)).ToArray();
        // Concat skips 1-D empties; a stack of [0]-shaped tensors must not, so concatenate the [.., 1, ..] views.
        var shape = s0.Take(d).Append(parts.Length).Concat(s0.Skip(d)).ToArray();
        if (Shapes.Numel(shape) == 0) return Tensor.Zeros(shape);
        return Concat(parts, d);
    }

    internal static (int Outer, int Inner) OuterInner(int[] shape, int dim)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, inner);
    }

    private static float[] PermuteData(float[] x, int[] shape, int[] perm)
    {
        var d = BufferArena.Allocate(x.Length);
        bool identity = true;
        for (int i = 0; i < perm.Length; i++) if (perm[i] != i) identity = false;
        if (identity) { x.AsSpan().CopyTo(d); return d; }
        Layout.Permute(x, d, shape, perm);
        return d;
    }

    private static int[] InferShape(Tensor x, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape: only one dimension can be -1 in {Shapes.Format(shape)}");
                infer = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"reshape: invalid dimension {shape[i]} in {Shapes.Format(shape)}");
            else known *= shape[i];
        }
        var s = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || x.Numel % known != 0)
                throw new ArgumentException($"cannot reshape a tensor of shape {Shapes.Format(x.Shape)} to {Shapes.Format(shape)}");
            s[infer] = (int)(x.Numel / known);
        }
        else if (known != x.Numel)
            throw new ArgumentException($"cannot reshape a tensor of shape {Shapes.Format(x.Shape)} ({x.Numel} elements) to {Shapes.Format(shape)}");
        return s;
    }

    private sealed class ReshapeNode(Tensor x) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [Tensor.FromArray(g.Data, Inputs[0].Shape)];
    }

    private sealed class PermuteNode(Tensor x, int[] perm) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var inv = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
            return [Tensor.FromArray(PermuteData(g.Data, g.Shape, inv), Inputs[0].Shape)];
        }
    }

    private sealed class NarrowNode(Tensor x, int dim, int start) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var shape = Inputs[0].Shape;
            var dx = Tensor.Zeros(shape);
            var (outer, inner) = OuterInner(shape, dim);
            Layout.CopySlab(g.Data, g.Shape[dim], 0, dx.Data, shape[dim], start, g.Shape[dim], outer, inner);
            return [dx];
        }
    }

    private sealed class ConcatNode(Tensor[] parts, int dim) : Node(parts)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var grads = new Tensor?[Inputs.Length];
            var (outer, inner) = OuterInner(g.Shape, dim);
            int offset = 0;
            for (int i = 0; i < Inputs.Length; i++)
            {
                var t = Inputs[i];
                int len = t.Shape[dim];
                if (NeedsGrad(i))
                {
                    var gi = Tensor.Zeros(t.Shape);
                    Layout.CopySlab(g.Data, g.Shape[dim], offset, gi.Data, len, 0, len, outer, inner);
                    grads[i] = gi;
                }
                offset += len;
            }
            return grads;
        }
    }
}
