using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Broadcasting binary kernels: d = f(a, b) where a and b broadcast to d's shape
/// (PyTorch/NumPy rules). <see cref="Binary{TOp}"/> runs contiguous inner runs through the op's span
/// forms (TensorPrimitives); <see cref="BinaryReference{TOp}"/> is the plain per-element oracle.
/// </summary>
public static class Broadcast
{
    /// <summary>
    /// Computes the inner runs [<paramref name="outerStart"/>, <paramref name="outerEnd"/>) of the plan:
    /// d[o·Inner + i] = f(a[offA(o) + i·sa], b[offB(o) + i·sb]). d is the full output (plan.OutShape).
    /// </summary>
    public static void Binary<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d, BroadcastPlan plan, int outerStart, int outerEnd)
        where TOp : IBinaryOp
    {
        int inner = plan.Inner, rank = plan.OuterShape.Length;
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        int offA = 0, offB = 0, rem = outerStart;
        for (int k = rank - 1; k >= 0; k--)
        {
            idx[k] = rem % plan.OuterShape[k]; rem /= plan.OuterShape[k];
            offA += idx[k] * plan.OuterStrideA[k]; offB += idx[k] * plan.OuterStrideB[k];
        }
        int ia = plan.InnerStrideA, ib = plan.InnerStrideB;
        for (int o = outerStart; o < outerEnd; o++)
        {
            var dst = d.Slice(o * inner, inner);
            if (ia == 1 && ib == 1) TOp.Apply(a.Slice(offA, inner), b.Slice(offB, inner), dst);
            else if (ia == 1) TOp.Apply(a.Slice(offA, inner), b[offB], dst);
            else if (ib == 1) TOp.Apply(a[offA], b.Slice(offB, inner), dst);
            else dst.Fill(TOp.Apply(a[offA], b[offB]));
            for (int k = rank - 1; k >= 0; k--)
            {
                offA += plan.OuterStrideA[k]; offB += plan.OuterStrideB[k];
                if (++idx[k] < plan.OuterShape[k]) break;
                offA -= plan.OuterStrideA[k] * plan.OuterShape[k]; offB -= plan.OuterStrideB[k] * plan.OuterShape[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>Reference: d[i] = f(a[map_a(i)], b[map_b(i)]) by explicit index decomposition of every output element.</summary>
    public static void BinaryReference<TOp>(ReadOnlySpan<float> a, int[] aShape, ReadOnlySpan<float> b, int[] bShape, Span<float> d)
        where TOp : IBinaryOp
    {
        var outShape = Shapes.Broadcast(aShape, bShape);
        var sa = Shapes.BroadcastStrides(aShape, outShape);
        var sb = Shapes.BroadcastStrides(bShape, outShape);
        int n = Shapes.Numel(outShape);
        for (int i = 0; i < n; i++)
        {
            int rem = i, oa = 0, ob = 0;
            for (int k = outShape.Length - 1; k >= 0; k--)
            {
                int j = rem % outShape[k]; rem /= outShape[k];
                oa += j * sa[k]; ob += j * sb[k];
            }
            d[i] = TOp.Apply(a[oa], b[ob]);
        }
    }

    /// <summary>
    /// Ternary select with broadcasting: d[i] = cond[i] ≠ 0 ? a[i] : b[i] (each operand broadcast to
    /// <paramref name="outShape"/>). Plain loop.
    /// </summary>
    public static void Where(ReadOnlySpan<float> cond, int[] condShape, ReadOnlySpan<float> a, int[] aShape, ReadOnlySpan<float> b, int[] bShape, Span<float> d, int[] outShape)
    {
        int n = Shapes.Numel(outShape);
        if (Shapes.Equal(condShape, outShape) && Shapes.Equal(aShape, outShape) && Shapes.Equal(bShape, outShape))
        {
            for (int i = 0; i < n; i++) d[i] = cond[i] != 0 ? a[i] : b[i];
            return;
        }
        var sc = Shapes.BroadcastStrides(condShape, outShape);
        var sa = Shapes.BroadcastStrides(aShape, outShape);
        var sb = Shapes.BroadcastStrides(bShape, outShape);
        for (int i = 0; i < n; i++)
        {
            int rem = i, oc = 0, oa = 0, ob = 0;
            for (int k = outShape.Length - 1; k >= 0; k--)
            {
                int j = rem % outShape[k]; rem /= outShape[k];
                oc += j * sc[k]; oa += j * sa[k]; ob += j * sb[k];
            }
            d[i] = cond[oc] != 0 ? a[oa] : b[ob];
        }
    }
}
