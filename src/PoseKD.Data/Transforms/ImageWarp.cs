namespace PoseKD.Data.Transforms;

/// <summary>
/// Affine image warps with OpenCV <c>warpAffine</c> semantics: dst(x, y) = src(M⁻¹·(x, y, 1)), M the forward 2×3
/// map (source → destination), pixel centres at integer coordinates, constant border. Bilinear for images
/// (outside samples take the border value), nearest (round half up) for label maps.
/// </summary>
public static class ImageWarp
{
    /// <summary>Bilinear warp of an interleaved byte image src [sh, sw, c] into dst [dh, dw, c].</summary>
    public static void BilinearU8(ReadOnlySpan<byte> src, ReadOnlySpan<double> m, byte border, Span<byte> dst, int sw, int sh, int dw, int dh, int c)
    {
        Check(src.Length, sw * sh * c, dst.Length, dw * dh * c);
        var inv = PoseKD.Geometry.Cameras.Affine2D.Invert(m);
        for (int y = 0; y < dh; y++)
        {
            for (int x = 0; x < dw; x++)
            {
                double sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                if (!((uint)x0 < (uint)(sw - 1) && (uint)y0 < (uint)(sh - 1) && sx > -1 && sy > -1))
                {
                    SampleU8(src, inv, x, y, border, dst, sw, sh, dw, c); // near or beyond the edge: the reference path
                    continue;
                }
                // all four taps inside: the reference's arithmetic without its per-tap bounds checks
                double tx = sx - x0, ty = sy - y0;
                int o = (y * dw + x) * c, i00 = (y0 * sw + x0) * c, i10 = i00 + sw * c;
                for (int k = 0; k < c; k++)
                {
                    double v00 = src[i00 + k], v01 = src[i00 + c + k], v10 = src[i10 + k], v11 = src[i10 + c + k];
                    double v = (1 - ty) * ((1 - tx) * v00 + tx * v01) + ty * ((1 - tx) * v10 + tx * v11);
                    dst[o + k] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
            }
        }
    }

    /// <summary>Plain reference of <see cref="BilinearU8"/> (every tap bounds-checked); the test oracle of its fast path.</summary>
    public static void BilinearU8Reference(ReadOnlySpan<byte> src, ReadOnlySpan<double> m, byte border, Span<byte> dst, int sw, int sh, int dw, int dh, int c)
    {
        Check(src.Length, sw * sh * c, dst.Length, dw * dh * c);
        var inv = PoseKD.Geometry.Cameras.Affine2D.Invert(m);
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++) SampleU8(src, inv, x, y, border, dst, sw, sh, dw, c);
    }

    /// <summary>Output pixel (x, y) of a bilinear byte warp with inverse map <paramref name="inv"/>: bounds-checked taps, border outside.</summary>
    private static void SampleU8(ReadOnlySpan<byte> src, double[] inv, int x, int y, byte border, Span<byte> dst, int sw, int sh, int dw, int c)
    {
        double sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
        int o = (y * dw + x) * c;
        if (!(sx > -1 && sy > -1 && sx < sw && sy < sh))
        {
            for (int k = 0; k < c; k++) dst[o + k] = border;
            return;
        }
        int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
        double tx = sx - x0, ty = sy - y0;
        for (int k = 0; k < c; k++)
        {
            double v00 = Px(src, x0, y0, k, sw, sh, c, border), v01 = Px(src, x0 + 1, y0, k, sw, sh, c, border);
            double v10 = Px(src, x0, y0 + 1, k, sw, sh, c, border), v11 = Px(src, x0 + 1, y0 + 1, k, sw, sh, c, border);
            double v = (1 - ty) * ((1 - tx) * v00 + tx * v01) + ty * ((1 - tx) * v10 + tx * v11);
            dst[o + k] = (byte)Math.Clamp(Math.Round(v), 0, 255);
        }
    }

    /// <summary>Bilinear warp of a planar float image src [c, sh, sw] into dst [c, dh, dw] (border value <paramref name="border"/>).</summary>
    public static void BilinearPlanarF32(ReadOnlySpan<float> src, ReadOnlySpan<double> m, float border, Span<float> dst, int sw, int sh, int dw, int dh, int c)
    {
        Check(src.Length, sw * sh * c, dst.Length, dw * dh * c);
        var inv = PoseKD.Geometry.Cameras.Affine2D.Invert(m);
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
            {
                double sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
                int o = y * dw + x;
                if (!(sx > -1 && sy > -1 && sx < sw && sy < sh))
                {
                    for (int k = 0; k < c; k++) dst[k * dw * dh + o] = border;
                    continue;
                }
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                float tx = (float)(sx - x0), ty = (float)(sy - y0);
                for (int k = 0; k < c; k++)
                {
                    var plane = src.Slice(k * sw * sh, sw * sh);
                    float v00 = PxF(plane, x0, y0, sw, sh, border), v01 = PxF(plane, x0 + 1, y0, sw, sh, border);
                    float v10 = PxF(plane, x0, y0 + 1, sw, sh, border), v11 = PxF(plane, x0 + 1, y0 + 1, sw, sh, border);
                    dst[k * dw * dh + o] = (1 - ty) * ((1 - tx) * v00 + tx * v01) + ty * ((1 - tx) * v10 + tx * v11);
                }
            }
    }

    /// <summary>
    /// Bilinear warp of an interleaved byte image src [sh, sw, c] into a planar float image dst [c, dh, dw] whose
    /// taps are normalised as (v/255 − mean_k)/std_k; taps outside the source are 0. Bit-identical to normalising the
    /// whole source and then calling <see cref="BilinearPlanarF32"/> with border 0, but touches only the taps it needs.
    /// </summary>
    public static void BilinearU8ToPlanarNormalized(ReadOnlySpan<byte> src, ReadOnlySpan<double> m, ReadOnlySpan<double> mean, ReadOnlySpan<double> std, Span<float> dst, int sw, int sh, int dw, int dh, int c)
    {
        Check(src.Length, sw * sh * c, dst.Length, dw * dh * c);
        if (mean.Length != c || std.Length != c) throw new ArgumentException($"mean ({mean.Length}) and std ({std.Length}) need one value per channel ({c})");
        var inv = PoseKD.Geometry.Cameras.Affine2D.Invert(m);
        Span<float> mk = stackalloc float[c], sk = stackalloc float[c];
        for (int k = 0; k < c; k++) { mk[k] = (float)mean[k]; sk[k] = (float)std[k]; }
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
            {
                double sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
                int o = y * dw + x;
                if (!(sx > -1 && sy > -1 && sx < sw && sy < sh))
                {
                    for (int k = 0; k < c; k++) dst[k * dw * dh + o] = 0f;
                    continue;
                }
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                float tx = (float)(sx - x0), ty = (float)(sy - y0);
                for (int k = 0; k < c; k++)
                {
                    float v00 = PxN(src, x0, y0, k, sw, sh, c, mk[k], sk[k]), v01 = PxN(src, x0 + 1, y0, k, sw, sh, c, mk[k], sk[k]);
                    float v10 = PxN(src, x0, y0 + 1, k, sw, sh, c, mk[k], sk[k]), v11 = PxN(src, x0 + 1, y0 + 1, k, sw, sh, c, mk[k], sk[k]);
                    dst[k * dw * dh + o] = (1 - ty) * ((1 - tx) * v00 + tx * v01) + ty * ((1 - tx) * v10 + tx * v11);
                }
            }
    }

    /// <summary>Nearest-neighbour warp of a label map src [sh, sw] into dst [dh, dw]; outside → <paramref name="border"/>.</summary>
    public static void NearestU8(ReadOnlySpan<byte> src, ReadOnlySpan<double> m, byte border, Span<byte> dst, int sw, int sh, int dw, int dh)
    {
        Check(src.Length, sw * sh, dst.Length, dw * dh);
        var inv = PoseKD.Geometry.Cameras.Affine2D.Invert(m);
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
            {
                int sx = (int)Math.Floor(inv[0] * x + inv[1] * y + inv[2] + 0.5), sy = (int)Math.Floor(inv[3] * x + inv[4] * y + inv[5] + 0.5);
                dst[y * dw + x] = (uint)sx < (uint)sw && (uint)sy < (uint)sh ? src[sy * sw + sx] : border;
            }
    }

    private static double Px(ReadOnlySpan<byte> s, int x, int y, int k, int w, int h, int c, byte border) =>
        (uint)x < (uint)w && (uint)y < (uint)h ? s[(y * w + x) * c + k] : border;

    private static float PxN(ReadOnlySpan<byte> s, int x, int y, int k, int w, int h, int c, float mean, float std) =>
        (uint)x < (uint)w && (uint)y < (uint)h ? (s[(y * w + x) * c + k] / 255f - mean) / std : 0f;

    private static float PxF(ReadOnlySpan<float> s, int x, int y, int w, int h, float border) =>
        (uint)x < (uint)w && (uint)y < (uint)h ? s[y * w + x] : border;

    private static void Check(int srcLen, int srcExpected, int dstLen, int dstExpected)
    {
        if (srcLen != srcExpected || dstLen != dstExpected)
            throw new ArgumentException($"buffer sizes src {srcLen} / dst {dstLen} do not match the shapes ({srcExpected} / {dstExpected})");
    }
}
