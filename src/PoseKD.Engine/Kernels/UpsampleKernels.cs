using System.Numerics;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Nearest-neighbour upsampling of NCHW by an integer factor s, as PyTorch's
/// <c>interpolate(scale_factor=s, mode='nearest')</c>: y[b,c,i,j] = x[b,c,⌊i/s⌋,⌊j/s⌋] with y of size (s·h)×(s·w).
/// The backward sums each s×s block of dy: dx[b,c,i,j] = Σ_{a,e&lt;s} dy[b,c,s·i+a,s·j+e].
/// </summary>
public static class UpsampleKernels
{
    /// <summary>Forward (optimised).</summary>
    /// <param name="x">[n, c, h, w]</param><param name="y">[n, c, s·h, s·w] output</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    /// <param name="scale">integer factor s ≥ 1</param>
    public static unsafe void NearestForward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int h, int w, int scale)
    {
        Check(x.Length, y.Length, n, c, h, w, scale);
        int wo = w * scale, hwo = h * scale * wo;
        fixed (float* px = x, py = y)
        {
            nint ax = (nint)px, ay = (nint)py;
            NnKernelHelpers.For(n * c, hwo, plane =>
            {
                float* xp = (float*)ax + (long)plane * h * w;
                float* yp = (float*)ay + (long)plane * hwo;
                for (int i = 0; i < h; i++)
                {
                    float* row = yp + (long)i * scale * wo;
                    float* src = xp + i * w;
                    if (scale == 2)
                        for (int j = 0; j < w; j++) { float v = src[j]; row[2 * j] = v; row[2 * j + 1] = v; }
                    else
                        for (int j = 0; j < w; j++) { float v = src[j]; for (int e = 0; e < scale; e++) row[j * scale + e] = v; }
                    var first = new ReadOnlySpan<float>(row, wo);
                    for (int a = 1; a < scale; a++) first.CopyTo(new Span<float>(row + a * wo, wo));
                }
            });
        }
    }

    /// <summary>Backward (optimised): dx written with the block sums of dy.</summary>
    /// <param name="dy">[n, c, s·h, s·w]</param><param name="dx">[n, c, h, w] written</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">input height</param><param name="w">input width</param>
    /// <param name="scale">integer factor s ≥ 1</param>
    public static unsafe void NearestBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int c, int h, int w, int scale)
    {
        Check(dx.Length, dy.Length, n, c, h, w, scale);
        int wo = w * scale, hwo = h * scale * wo;
        fixed (float* pdy = dy, pdx = dx)
        {
            nint ady = (nint)pdy, adx = (nint)pdx;
            NnKernelHelpers.For(n * c, hwo, plane =>
            {
                float* d = (float*)adx + (long)plane * h * w;
                float* g = (float*)ady + (long)plane * hwo;
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                    {
                        float s = 0;
                        for (int a = 0; a < scale; a++)
                        {
                            float* row = g + (long)(i * scale + a) * wo + j * scale;
                            for (int e = 0; e < scale; e++) s += row[e];
                        }
                        d[i * w + j] = s;
                    }
            });
        }
    }

    /// <summary>Plain reference of <see cref="NearestForward"/> (the test oracle), in any floating type.</summary>
    public static void NearestForwardReference<T>(ReadOnlySpan<T> x, Span<T> y, int n, int c, int h, int w, int scale)
        where T : IFloatingPointIeee754<T>
    {
        int ho = h * scale, wo = w * scale;
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                    y[(plane * ho + i) * wo + j] = x[(plane * h + i / scale) * w + j / scale];
    }

    /// <summary>Plain reference of <see cref="NearestBackward"/>.</summary>
    public static void NearestBackwardReference<T>(ReadOnlySpan<T> dy, Span<T> dx, int n, int c, int h, int w, int scale)
        where T : IFloatingPointIeee754<T>
    {
        int ho = h * scale, wo = w * scale;
        dx.Clear();
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                    dx[(plane * h + i / scale) * w + j / scale] += dy[(plane * ho + i) * wo + j];
    }

    private static void Check(int xLength, int yLength, int n, int c, int h, int w, int scale)
    {
        if (scale < 1) throw new ArgumentException($"upsample scale {scale} must be a positive integer", nameof(scale));
        NnKernelHelpers.CheckLength(xLength, (long)n * c * h * w, "x");
        NnKernelHelpers.CheckLength(yLength, (long)n * c * h * w * scale * scale, "y");
    }
}
