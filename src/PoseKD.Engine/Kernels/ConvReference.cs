namespace PoseKD.Engine.Kernels;

/// <summary>
/// Direct-loop NCHW convolution with double accumulation: the plain test oracle for <see cref="Conv2d"/>.
/// y[b, o, oy, ox] = bias[o] + Σ_{c,i,j} x[b, c, oy·S − P + i, ox·S − P + j] · w[o, c, i, j].
/// </summary>
public static class ConvReference
{
    /// <summary>Forward: x[N,C,H,W], w[O,C,KH,KW], bias[O] or empty → y[N,O,OH,OW] (overwritten).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth;
        for (int b = 0; b < s.N; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double acc = bias.IsEmpty ? 0 : bias[o];
                        for (int c = 0; c < s.InChannels; c++)
                            for (int i = 0; i < s.KernelH; i++)
                                for (int j = 0; j < s.KernelW; j++)
                                {
                                    int iy = oy * s.Stride - s.Padding + i, ix = ox * s.Stride - s.Padding + j;
                                    if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                                    acc += (double)x[((b * s.InChannels + c) * s.Height + iy) * s.Width + ix]
                                         * w[((o * s.InChannels + c) * s.KernelH + i) * s.KernelW + j];
                                }
                        y[((b * s.OutChannels + o) * oh + oy) * ow + ox] = (float)acc;
                    }
    }

    /// <summary>Backward data: dy[N,O,OH,OW], w[O,C,KH,KW] → dx[N,C,H,W] (overwritten): dx = Σ over the taps that read each input pixel.</summary>
    public static void BackwardData(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth;
        var acc = new double[dx.Length];
        for (int b = 0; b < s.N; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double g = dy[((b * s.OutChannels + o) * oh + oy) * ow + ox];
                        for (int c = 0; c < s.InChannels; c++)
                            for (int i = 0; i < s.KernelH; i++)
                                for (int j = 0; j < s.KernelW; j++)
                                {
                                    int iy = oy * s.Stride - s.Padding + i, ix = ox * s.Stride - s.Padding + j;
                                    if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                                    acc[((b * s.InChannels + c) * s.Height + iy) * s.Width + ix] += g * w[((o * s.InChannels + c) * s.KernelH + i) * s.KernelW + j];
                                }
                    }
        for (int t = 0; t < acc.Length; t++) dx[t] = (float)acc[t];
    }

    /// <summary>Backward weights: x, dy → dw[O,C,KH,KW] += Σ x·dy, and dbias[O] += Σ dy when dbias is non-empty.</summary>
    public static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias, Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth;
        for (int o = 0; o < s.OutChannels; o++)
        {
            if (!dbias.IsEmpty)
            {
                double sb = 0;
                for (int b = 0; b < s.N; b++)
                    for (int q = 0; q < oh * ow; q++) sb += dy[(b * s.OutChannels + o) * oh * ow + q];
                dbias[o] += (float)sb;
            }
            for (int c = 0; c < s.InChannels; c++)
                for (int i = 0; i < s.KernelH; i++)
                    for (int j = 0; j < s.KernelW; j++)
                    {
                        double acc = 0;
                        for (int b = 0; b < s.N; b++)
                            for (int oy = 0; oy < oh; oy++)
                                for (int ox = 0; ox < ow; ox++)
                                {
                                    int iy = oy * s.Stride - s.Padding + i, ix = ox * s.Stride - s.Padding + j;
                                    if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                                    acc += (double)x[((b * s.InChannels + c) * s.Height + iy) * s.Width + ix] * dy[((b * s.OutChannels + o) * oh + oy) * ow + ox];
                                }
                        dw[((o * s.InChannels + c) * s.KernelH + i) * s.KernelW + j] += (float)acc;
                    }
        }
    }
}
