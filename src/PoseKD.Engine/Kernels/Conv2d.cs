using System.Buffers;
using System.Numerics.Tensors;
using PoseKD.Engine.Interop;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// NCHW 2-D convolution kernels (groups = 1): forward, backward-data and backward-weights.
/// y[b, o, oy, ox] = bias[o] + Σ_{c,i,j} x[b, c, oy·S − P + i, ox·S − P + j] · w[o, c, i, j] (zero padding).
/// Dispatches to oneDNN (Debian <c>libdnnl2</c>) when present and <see cref="NativeSettings.UseOneDnn"/> is set,
/// otherwise to im2col + <see cref="Gemm.Sgemm"/>; <see cref="ConvReference"/> is the oracle.
/// </summary>
public static class Conv2d
{
    private const long MaxColumnElements = 1 << 22;
    private const int TargetGemmColumns = 1024;

    /// <summary>True when the convolution kernels currently run through oneDNN.</summary>
    public static bool UsesOneDnn => NativeSettings.UseOneDnn && OneDnnConv.IsAvailable;

    /// <summary>Forward: x[N,C,H,W], w[O,C,KH,KW], bias[O] or empty → y[N,O,OH,OW] (overwritten).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Conv2dShape s)
    {
        CheckForward(x, w, bias, y, s);
        if (s.N == 0) return;
        if (UsesOneDnn) OneDnnConv.Forward(x, w, bias, y, s);
        else Im2ColForward(x, w, bias, y, s);
    }

    /// <summary>Backward data: dy[N,O,OH,OW], w[O,C,KH,KW] → dx[N,C,H,W] (overwritten).</summary>
    public static void BackwardData(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Conv2dShape s)
    {
        CheckBackwardData(dy, w, dx, s);
        if (s.N == 0) return;
        if (UsesOneDnn) OneDnnConv.BackwardData(dy, w, dx, s);
        else Im2ColBackwardData(dy, w, dx, s);
    }

    /// <summary>Backward weights: x[N,C,H,W], dy[N,O,OH,OW] → dw[O,C,KH,KW] += Σ x·dy; dbias[O] += Σ dy when non-empty.</summary>
    public static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias, Conv2dShape s)
    {
        CheckBackwardWeights(x, dy, dw, dbias, s);
        if (s.N == 0) return;
        if (UsesOneDnn) OneDnnConv.BackwardWeights(x, dy, dw, dbias, s);
        else Im2ColBackwardWeights(x, dy, dw, dbias, s);
    }

    /// <summary>Forward through im2col + GEMM: per group of images, Y[O, g·OH·OW] = W[O, C·KH·KW] · col.</summary>
    public static void Im2ColForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Conv2dShape s)
    {
        CheckForward(x, w, bias, y, s);
        int ohw = s.OutHeight * s.OutWidth, k = s.PatchSize, o = s.OutChannels;
        int g = GroupSize(s);
        bool direct = IsPointwise(s);
        float[] col = ArrayPool<float>.Shared.Rent(direct && g == 1 ? 1 : k * g * ohw);
        float[] tmp = ArrayPool<float>.Shared.Rent(g == 1 ? 1 : o * g * ohw);
        try
        {
            for (int b0 = 0; b0 < s.N; b0 += g)
            {
                int gb = Math.Min(g, s.N - b0), ld = gb * ohw;
                var colSpan = Columns(x, col, b0, gb, direct, s);
                if (gb == 1) Gemm.Sgemm(false, false, o, ohw, k, 1f, w, k, colSpan, ld, 0f, y.Slice(b0 * o * ohw, o * ohw), ohw);
                else
                {
                    Gemm.Sgemm(false, false, o, ld, k, 1f, w, k, colSpan, ld, 0f, tmp.AsSpan(0, o * ld), ld);
                    for (int t = 0; t < gb; t++)
                        for (int c = 0; c < o; c++)
                            tmp.AsSpan(c * ld + t * ohw, ohw).CopyTo(y.Slice(((b0 + t) * o + c) * ohw, ohw));
                }
                if (!bias.IsEmpty)
                    for (int t = 0; t < gb; t++)
                        for (int c = 0; c < o; c++)
                        {
                            var row = y.Slice(((b0 + t) * o + c) * ohw, ohw);
                            TensorPrimitives.Add(row, bias[c], row);
                        }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(col);
            ArrayPool<float>.Shared.Return(tmp);
        }
    }

    /// <summary>Backward data through GEMM + col2im: dcol[C·KH·KW, g·OH·OW] = Wᵀ · dY, then folded into dx (overwritten).</summary>
    public static void Im2ColBackwardData(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Conv2dShape s)
    {
        CheckBackwardData(dy, w, dx, s);
        int ohw = s.OutHeight * s.OutWidth, chw = s.InChannels * s.Height * s.Width, k = s.PatchSize, o = s.OutChannels;
        int g = GroupSize(s);
        bool direct = IsPointwise(s);
        float[] dcol = ArrayPool<float>.Shared.Rent(direct && g == 1 ? 1 : k * g * ohw);
        float[] dyg = ArrayPool<float>.Shared.Rent(g == 1 ? 1 : o * g * ohw);
        try
        {
            for (int b0 = 0; b0 < s.N; b0 += g)
            {
                int gb = Math.Min(g, s.N - b0), ld = gb * ohw;
                var dySpan = gb == 1 ? dy.Slice(b0 * o * ohw, o * ohw) : Gather(dy, dyg, b0, gb, o, ohw);
                if (direct && gb == 1)
                {
                    Gemm.Sgemm(true, false, k, ohw, o, 1f, w, k, dySpan, ld, 0f, dx.Slice(b0 * chw, chw), ohw);
                    continue;
                }
                Gemm.Sgemm(true, false, k, ld, o, 1f, w, k, dySpan, ld, 0f, dcol.AsSpan(0, k * ld), ld);
                for (int t = 0; t < gb; t++)
                {
                    var img = dx.Slice((b0 + t) * chw, chw);
                    img.Clear();
                    Im2Col.Unpack(dcol.AsSpan(t * ohw), ld, img, s);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dcol);
            ArrayPool<float>.Shared.Return(dyg);
        }
    }

    /// <summary>Backward weights through im2col + GEMM: dW[O, C·KH·KW] += dY[O, g·OH·OW] · colᵀ; dbias[o] += Σ dy[·, o, ·].</summary>
    public static void Im2ColBackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias, Conv2dShape s)
    {
        CheckBackwardWeights(x, dy, dw, dbias, s);
        int ohw = s.OutHeight * s.OutWidth, k = s.PatchSize, o = s.OutChannels;
        int g = GroupSize(s);
        bool direct = IsPointwise(s);
        float[] col = ArrayPool<float>.Shared.Rent(direct && g == 1 ? 1 : k * g * ohw);
        float[] dyg = ArrayPool<float>.Shared.Rent(g == 1 ? 1 : o * g * ohw);
        try
        {
            for (int b0 = 0; b0 < s.N; b0 += g)
            {
                int gb = Math.Min(g, s.N - b0), ld = gb * ohw;
                var colSpan = Columns(x, col, b0, gb, direct, s);
                var dySpan = gb == 1 ? dy.Slice(b0 * o * ohw, o * ohw) : Gather(dy, dyg, b0, gb, o, ohw);
                Gemm.Sgemm(false, true, o, k, ld, 1f, dySpan, ld, colSpan, ld, 1f, dw, k);
                if (!dbias.IsEmpty)
                    for (int c = 0; c < o; c++) dbias[c] += TensorPrimitives.Sum(dySpan.Slice(c * ld, ld));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(col);
            ArrayPool<float>.Shared.Return(dyg);
        }
    }

    /// <summary>Copies dy[b0..b0+gb, O, OH·OW] into buf[O, gb·OH·OW].</summary>
    private static ReadOnlySpan<float> Gather(ReadOnlySpan<float> dy, float[] buf, int b0, int gb, int o, int ohw)
    {
        int ld = gb * ohw;
        for (int t = 0; t < gb; t++)
            for (int c = 0; c < o; c++)
                dy.Slice(((b0 + t) * o + c) * ohw, ohw).CopyTo(buf.AsSpan(c * ld + t * ohw, ohw));
        return buf.AsSpan(0, o * ld);
    }

    private static bool IsPointwise(Conv2dShape s) => s.KernelH == 1 && s.KernelW == 1 && s.Stride == 1 && s.Padding == 0;

    /// <summary>Images per GEMM: enough for ~<see cref="TargetGemmColumns"/> columns, bounded by the column-buffer size.</summary>
    private static int GroupSize(Conv2dShape s)
    {
        long ohw = (long)s.OutHeight * s.OutWidth;
        long g = Math.Max(1, (TargetGemmColumns + ohw - 1) / ohw);
        g = Math.Min(g, Math.Max(1, MaxColumnElements / (ohw * s.PatchSize)));
        return (int)Math.Max(1, Math.Min(g, s.N));
    }

    private static void CheckForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Conv2dShape s)
    {
        s.Validate();
        Conv2dShape.CheckLength("x", x.Length, s.InputSize, s);
        Conv2dShape.CheckLength("w", w.Length, s.WeightSize, s);
        if (!bias.IsEmpty) Conv2dShape.CheckLength("bias", bias.Length, s.OutChannels, s);
        Conv2dShape.CheckLength("y", y.Length, s.OutputSize, s);
    }

    private static void CheckBackwardData(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Conv2dShape s)
    {
        s.Validate();
        Conv2dShape.CheckLength("dy", dy.Length, s.OutputSize, s);
        Conv2dShape.CheckLength("w", w.Length, s.WeightSize, s);
        Conv2dShape.CheckLength("dx", dx.Length, s.InputSize, s);
    }

    private static void CheckBackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias, Conv2dShape s)
    {
        s.Validate();
        Conv2dShape.CheckLength("x", x.Length, s.InputSize, s);
        Conv2dShape.CheckLength("dy", dy.Length, s.OutputSize, s);
        Conv2dShape.CheckLength("dw", dw.Length, s.WeightSize, s);
        if (!dbias.IsEmpty) Conv2dShape.CheckLength("dbias", dbias.Length, s.OutChannels, s);
    }

    /// <summary>
    /// The im2col matrix [C·KH·KW, gb·OH·OW] of images b0..b0+gb−1: x itself for a 1×1 stride-1 layer on
    /// one image, otherwise packed into <paramref name="col"/>.
    /// </summary>
    private static ReadOnlySpan<float> Columns(ReadOnlySpan<float> x, float[] col, int b0, int gb, bool direct, Conv2dShape s)
    {
        int hw = s.Height * s.Width, ohw = s.OutHeight * s.OutWidth, ld = gb * ohw;
        if (direct && gb == 1) return x.Slice(b0 * s.InChannels * hw, s.InChannels * hw);
        for (int t = 0; t < gb; t++) Im2Col.Pack(x.Slice((b0 + t) * s.InChannels * hw, s.InChannels * hw), col.AsSpan(t * ohw), ld, s);
        return col.AsSpan(0, s.PatchSize * ld);
    }
}
