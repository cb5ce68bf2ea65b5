using System.Numerics.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Reductions over the middle axis of a row-major block x[outer, r, inner] into d[outer, inner]
/// (any reduction over a contiguous group of dimensions is this shape). Reference kernels with double
/// accumulation sit beside the optimised ones as test oracles.
/// </summary>
public static class Reduce
{
    /// <summary>d[o, i] = Σ_j x[o, j, i]. x: [outer, r, inner], d: [outer, inner].</summary>
    public static void Sum(ReadOnlySpan<float> x, Span<float> d, int outer, int r, int inner)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) d[o] = TensorPrimitives.Sum(x.Slice(o * r, r));
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            var acc = d.Slice(o * inner, inner);
            if (r == 0) { acc.Clear(); continue; }
            x.Slice(o * r * inner, inner).CopyTo(acc);
            for (int j = 1; j < r; j++) TensorPrimitives.Add(acc, x.Slice((o * r + j) * inner, inner), acc);
        }
    }

    /// <summary>d[o, i] = max_j x[o, j, i] (NaN if any is NaN; r ≥ 1). x: [outer, r, inner], d: [outer, inner].</summary>
    public static void Max(ReadOnlySpan<float> x, Span<float> d, int outer, int r, int inner)
    {
        if (r == 0) throw new ArgumentException("max over an empty dimension is undefined");
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) d[o] = TensorPrimitives.Max(x.Slice(o * r, r));
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            var acc = d.Slice(o * inner, inner);
            x.Slice(o * r * inner, inner).CopyTo(acc);
            for (int j = 1; j < r; j++) TensorPrimitives.Max(acc, x.Slice((o * r + j) * inner, inner), acc);
        }
    }

    /// <summary>
    /// d[o, i] = log Σ_j exp x[o, j, i], computed stably as m + log Σ_j exp(x − m) with m = max_j x
    /// (m = 0 when m is infinite, so all −∞ gives −∞ and any +∞ gives +∞; r = 0 gives −∞).
    /// The exponential sum is accumulated in double. x: [outer, r, inner], d: [outer, inner].
    /// </summary>
    public static void LogSumExp(ReadOnlySpan<float> x, Span<float> d, int outer, int r, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIdx = o * r * inner + i;
                float m = float.NegativeInfinity;
                bool nan = false;
                for (int j = 0; j < r; j++)
                {
                    float v = x[baseIdx + j * inner];
                    if (float.IsNaN(v)) nan = true; else if (v > m) m = v;
                }
                if (nan) { d[o * inner + i] = float.NaN; continue; }
                float shift = float.IsInfinity(m) ? 0f : m;
                double s = 0;
                for (int j = 0; j < r; j++) s += Math.Exp((double)x[baseIdx + j * inner] - shift);
                d[o * inner + i] = (float)(shift + Math.Log(s));
            }
        }
    }

    /// <summary>Reference for <see cref="Sum"/>: plain loops with double accumulation.</summary>
    public static void SumReference(ReadOnlySpan<float> x, Span<float> d, int outer, int r, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double s = 0;
                for (int j = 0; j < r; j++) s += x[(o * r + j) * inner + i];
                d[o * inner + i] = (float)s;
            }
    }

    /// <summary>Reference for <see cref="Max"/>: plain loops.</summary>
    public static void MaxReference(ReadOnlySpan<float> x, Span<float> d, int outer, int r, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int j = 0; j < r; j++)
                {
                    float v = x[(o * r + j) * inner + i];
                    if (float.IsNaN(v) || v > m) m = v;
                    if (float.IsNaN(m)) break;
                }
                d[o * inner + i] = m;
            }
    }
}
