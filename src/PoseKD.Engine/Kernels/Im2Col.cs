namespace PoseKD.Engine.Kernels;

/// <summary>
/// Patch unfolding for convolution as GEMM. For one image x[C, H, W] the column matrix is
/// col[(c·KH + i)·KW + j, oy·OW + ox] = x[c, oy·S − P + i, ox·S − P + j] (0 outside the image).
/// Columns are written at row stride <c>ldCol</c> so several images can sit side by side.
/// </summary>
public static class Im2Col
{
    /// <summary>Unfolds image x[C, H, W] into col[C·KH·KW, OH·OW] (row stride <paramref name="ldCol"/>).</summary>
    public static void Pack(ReadOnlySpan<float> x, Span<float> col, int ldCol, Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, h = s.Height, w = s.Width, st = s.Stride, p = s.Padding;
        for (int c = 0; c < s.InChannels; c++)
        {
            var plane = x.Slice(c * h * w, h * w);
            for (int i = 0; i < s.KernelH; i++)
            {
                for (int j = 0; j < s.KernelW; j++)
                {
                    var row = col.Slice(((c * s.KernelH + i) * s.KernelW + j) * ldCol, oh * ow);
                    // Valid ox range: 0 ≤ ox·S − P + j < W.
                    int oxLo = Math.Max(0, CeilDiv(p - j, st)), oxHi = Math.Min(ow, CeilDiv(w + p - j, st));
                    for (int oy = 0; oy < oh; oy++)
                    {
                        var dst = row.Slice(oy * ow, ow);
                        int iy = oy * st - p + i;
                        if (iy < 0 || iy >= h || oxLo >= oxHi) { dst.Clear(); continue; }
                        dst[..oxLo].Clear();
                        dst[oxHi..].Clear();
                        var src = plane.Slice(iy * w);
                        int ix0 = oxLo * st - p + j;
                        if (st == 1) src.Slice(ix0, oxHi - oxLo).CopyTo(dst[oxLo..oxHi]);
                        else for (int ox = oxLo, ix = ix0; ox < oxHi; ox++, ix += st) dst[ox] = src[ix];
                    }
                }
            }
        }
    }

    /// <summary>Folds col[C·KH·KW, OH·OW] (row stride <paramref name="ldCol"/>) back, ADDING into dx[C, H, W] (transpose of <see cref="Pack"/>).</summary>
    public static void Unpack(ReadOnlySpan<float> col, int ldCol, Span<float> dx, Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, h = s.Height, w = s.Width, st = s.Stride, p = s.Padding;
        for (int c = 0; c < s.InChannels; c++)
        {
            var plane = dx.Slice(c * h * w, h * w);
            for (int i = 0; i < s.KernelH; i++)
            {
                for (int j = 0; j < s.KernelW; j++)
                {
                    var row = col.Slice(((c * s.KernelH + i) * s.KernelW + j) * ldCol, oh * ow);
                    int oxLo = Math.Max(0, CeilDiv(p - j, st)), oxHi = Math.Min(ow, CeilDiv(w + p - j, st));
                    if (oxLo >= oxHi) continue;
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * st - p + i;
                        if (iy < 0 || iy >= h) continue;
                        var src = row.Slice(oy * ow, ow);
                        var dst = plane.Slice(iy * w);
                        int ix0 = oxLo * st - p + j;
                        if (st == 1)
                        {
                            var d = dst.Slice(ix0, oxHi - oxLo);
                            System.Numerics.Tensors.TensorPrimitives.Add(d, src[oxLo..oxHi], d);
                        }
                        else for (int ox = oxLo, ix = ix0; ox < oxHi; ox++, ix += st) dst[ix] += src[ox];
                    }
                }
            }
        }
    }

    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
