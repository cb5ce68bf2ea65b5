using System.Numerics.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>Data-movement kernels: dimension permutation and slab copies along one dimension.</summary>
public static class Layout
{
    /// <summary>
    /// Materialising permutation: d[i₀…] = x[…] with d's dimension k being x's dimension perm[k].
    /// x: shape, d: shape permuted by perm. The innermost output dimension is copied as a block when it
    /// is also x's innermost.
    /// </summary>
    public static void Permute(ReadOnlySpan<float> x, Span<float> d, int[] shape, int[] perm)
    {
        int rank = shape.Length, n = d.Length;
        if (n == 0) return;
        if (rank == 0) { d[0] = x[0]; return; }
        var inStrides = new int[rank];
        for (int k = rank - 1, acc = 1; k >= 0; k--) { inStrides[k] = acc; acc *= shape[k]; }
        var outShape = new int[rank];
        var stride = new int[rank];
        for (int k = 0; k < rank; k++) { outShape[k] = shape[perm[k]]; stride[k] = inStrides[perm[k]]; }
        int inner = outShape[rank - 1], innerStride = stride[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int off = 0;
        for (int o = 0; o < n; o += inner)
        {
            var dst = d.Slice(o, inner);
            if (innerStride == 1) x.Slice(off, inner).CopyTo(dst);
            else for (int i = 0, p = off; i < inner; i++, p += innerStride) dst[i] = x[p];
            for (int k = rank - 2; k >= 0; k--)
            {
                off += stride[k];
                if (++idx[k] < outShape[k]) break;
                off -= stride[k] * outShape[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>Reference for <see cref="Permute"/>: decomposes every output index.</summary>
    public static void PermuteReference(ReadOnlySpan<float> x, Span<float> d, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var inStrides = new int[rank];
        for (int k = rank - 1, acc = 1; k >= 0; k--) { inStrides[k] = acc; acc *= shape[k]; }
        for (int i = 0; i < d.Length; i++)
        {
            int rem = i, off = 0;
            for (int k = rank - 1; k >= 0; k--)
            {
                int dim = shape[perm[k]];
                off += rem % dim * inStrides[perm[k]];
                rem /= dim;
            }
            d[i] = x[off];
        }
    }

    /// <summary>
    /// Copies a slab along one dimension: d[o, dstStart + j, i] = x[o, srcStart + j, i] for j &lt; len.
    /// x: [outer, srcDim, inner], d: [outer, dstDim, inner].
    /// </summary>
    public static void CopySlab(ReadOnlySpan<float> x, int srcDim, int srcStart, Span<float> d, int dstDim, int dstStart, int len, int outer, int inner)
    {
        int block = len * inner;
        if (block == 0) return;
        for (int o = 0; o < outer; o++)
            x.Slice((o * srcDim + srcStart) * inner, block).CopyTo(d.Slice((o * dstDim + dstStart) * inner, block));
    }

    /// <summary>Like <see cref="CopySlab"/> but adds: d[o, dstStart + j, i] += x[o, srcStart + j, i].</summary>
    public static void AddSlab(ReadOnlySpan<float> x, int srcDim, int srcStart, Span<float> d, int dstDim, int dstStart, int len, int outer, int inner)
    {
        int block = len * inner;
        if (block == 0) return;
        for (int o = 0; o < outer; o++)
        {
            var dst = d.Slice((o * dstDim + dstStart) * inner, block);
            TensorPrimitives.Add(dst, x.Slice((o * srcDim + srcStart) * inner, block), dst);
        }
    }

    /// <summary>
    /// Copies a row-major block x of shape <paramref name="regionShape"/> into the leading corner of d, a
    /// row-major array of shape <paramref name="shape"/> (regionShape[k] ≤ shape[k]).
    /// </summary>
    public static void CopyRegion(ReadOnlySpan<float> x, int[] regionShape, Span<float> d, int[] shape)
    {
        int rank = shape.Length, n = x.Length;
        if (n == 0) return;
        if (rank == 0) { d[0] = x[0]; return; }
        var ds = new int[rank];
        for (int k = rank - 1, acc = 1; k >= 0; k--) { ds[k] = acc; acc *= shape[k]; }
        int inner = regionShape[rank - 1];
        Span<int> p = stackalloc int[rank];
        for (int o = 0; o < n; o += inner)
        {
            int off = 0;
            for (int k = 0; k < rank - 1; k++) off += p[k] * ds[k];
            x.Slice(o, inner).CopyTo(d.Slice(off, inner));
            for (int k = rank - 2; k >= 0; k--)
            {
                if (++p[k] < regionShape[k]) break;
                p[k] = 0;
            }
        }
    }
}
