namespace PoseKD.Engine.Kernels;

/// <summary>
/// Index-based gathers and scatters along one dimension. Indices are validated by the callers
/// (PoseKD.Engine.Functional.F), so these kernels assume 0 ≤ index &lt; dimension size.
/// </summary>
public static class Indexing
{
    /// <summary>
    /// d[o, j, i] = x[o, index[j], i]. x: [outer, dimSize, inner], index: [len], d: [outer, len, inner].
    /// </summary>
    public static void IndexSelect(ReadOnlySpan<float> x, ReadOnlySpan<int> index, Span<float> d, int outer, int dimSize, int inner)
    {
        int len = index.Length;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < len; j++)
                x.Slice((o * dimSize + index[j]) * inner, inner).CopyTo(d.Slice((o * len + j) * inner, inner));
    }

    /// <summary>
    /// The adjoint of <see cref="IndexSelect"/>: dx[o, index[j], i] += g[o, j, i].
    /// g: [outer, len, inner], dx: [outer, dimSize, inner].
    /// </summary>
    public static void IndexAdd(ReadOnlySpan<float> g, ReadOnlySpan<int> index, Span<float> dx, int outer, int dimSize, int inner)
    {
        int len = index.Length;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < len; j++)
            {
                var dst = dx.Slice((o * dimSize + index[j]) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, g.Slice((o * len + j) * inner, inner), dst);
            }
    }

    /// <summary>
    /// torch.gather: d[p] = x[p with p[dim] := index[p]] for every multi-index p of <paramref name="indexShape"/>.
    /// x: xShape, index and d: indexShape (same rank; indexShape[k] ≤ xShape[k] for k ≠ dim).
    /// </summary>
    public static void Gather(ReadOnlySpan<float> x, int[] xShape, ReadOnlySpan<int> index, int[] indexShape, int dim, Span<float> d)
    {
        var xs = RowMajorStrides(xShape);
        int rank = indexShape.Length;
        Span<int> p = stackalloc int[Math.Max(rank, 1)];
        p.Clear();
        for (int n = 0; n < index.Length; n++)
        {
            int off = 0;
            for (int k = 0; k < rank; k++) off += (k == dim ? index[n] : p[k]) * xs[k];
            d[n] = x[off];
            Increment(p, indexShape);
        }
    }

    /// <summary>
    /// torch.scatter_add_: d[p with p[dim] := index[p]] += src[p] for every multi-index p of
    /// <paramref name="indexShape"/>. src: srcShape (indexShape[k] ≤ srcShape[k]), d: dShape.
    /// </summary>
    public static void ScatterAdd(ReadOnlySpan<float> src, int[] srcShape, ReadOnlySpan<int> index, int[] indexShape, int dim, Span<float> d, int[] dShape)
    {
        var ss = RowMajorStrides(srcShape);
        var ds = RowMajorStrides(dShape);
        int rank = indexShape.Length;
        Span<int> p = stackalloc int[Math.Max(rank, 1)];
        p.Clear();
        for (int n = 0; n < index.Length; n++)
        {
            int so = 0, doff = 0;
            for (int k = 0; k < rank; k++)
            {
                so += p[k] * ss[k];
                doff += (k == dim ? index[n] : p[k]) * ds[k];
            }
            d[doff] += src[so];
            Increment(p, indexShape);
        }
    }

    private static int[] RowMajorStrides(int[] shape)
    {
        var s = new int[shape.Length];
        for (int k = shape.Length - 1, acc = 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]; }
        return s;
    }

    private static void Increment(Span<int> p, int[] shape)
    {
        for (int k = shape.Length - 1; k >= 0; k--)
        {
            if (++p[k] < shape[k]) return;
            p[k] = 0;
        }
    }
}
