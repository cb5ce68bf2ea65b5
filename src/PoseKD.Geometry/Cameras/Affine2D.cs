namespace PoseKD.Geometry.Cameras;

/// <summary>
/// 2D affine transforms as row-major 2×3 arrays A = [a b c; d e f], mapping (x, y) ↦ (a·x + b·y + c,
/// d·x + e·y + f) — the matrices of OpenCV's <c>warpAffine</c>.
/// </summary>
public static class Affine2D
{
    /// <summary>The identity [1 0 0; 0 1 0].</summary>
    public static double[] Identity() => [1, 0, 0, 0, 1, 0];

    /// <summary>
    /// The affine A [2, 3] that maps the three source points [3, 2] onto the three destination points
    /// [3, 2] (OpenCV <c>getAffineTransform</c>). Throws when the source points are collinear.
    /// </summary>
    public static double[] FromPoints(ReadOnlySpan<double> src, ReadOnlySpan<double> dst)
    {
        if (src.Length != 6 || dst.Length != 6) throw new ArgumentException($"src and dst must be [3, 2], got [{src.Length}] and [{dst.Length}]");
        // [x y 1] rows; solve the 3×3 system for each output row.
        Span<double> m = [src[0], src[1], 1, src[2], src[3], 1, src[4], src[5], 1];
        Span<double> inv = stackalloc double[9];
        if (!LinearAlgebra.SmallMatrix.Inverse3(m, inv))
            throw new ArgumentException("source points are collinear; the affine transform is undefined", nameof(src));
        var a = new double[6];
        for (int row = 0; row < 2; row++)
            for (int col = 0; col < 3; col++)
                a[3 * row + col] = inv[3 * col] * dst[row] + inv[3 * col + 1] * dst[2 + row] + inv[3 * col + 2] * dst[4 + row];
        return a;
    }

    /// <summary>
    /// The DZI crop transform (CenterNet's / the reference's <c>get_affine_transform</c>): maps the square
    /// of side <paramref name="scale"/> centred at (cx, cy) — rotated by <paramref name="rotationDeg"/>,
    /// shifted by shift·scale — onto an <paramref name="outWidth"/>×<paramref name="outHeight"/> image.
    /// Three-point construction: src = {c, c + rot([0, −s/2]), third}, dst = {(w/2, h/2), (w/2, h/2 − w/2),
    /// third}, where third(a, b) = b + [−(a−b)_y, (a−b)_x]. With <paramref name="inverse"/> the map is
    /// from the output back to the image. Computed in double (the reference rounds to float32).
    /// </summary>
    public static double[] CropTransform(double cx, double cy, double scale, int outWidth, int outHeight,
        double rotationDeg = 0, double shiftX = 0, double shiftY = 0, bool inverse = false) =>
        CropTransform(cx, cy, scale, scale, outWidth, outHeight, rotationDeg, shiftX, shiftY, inverse);

    /// <summary>
    /// <see cref="CropTransform(double, double, double, int, int, double, double, double, bool)"/> with a
    /// (width, height) scale; as in the reference only the width sets the zoom, the height only scales the shift.
    /// </summary>
    public static double[] CropTransform(double cx, double cy, double scaleW, double scaleH, int outWidth, int outHeight,
        double rotationDeg = 0, double shiftX = 0, double shiftY = 0, bool inverse = false)
    {
        if (!(scaleW > 0) || outWidth <= 0 || outHeight <= 0)
            throw new ArgumentException($"scale {scaleW} and output size {outWidth}×{outHeight} must be positive");
        double rot = Math.PI * rotationDeg / 180;
        double sn = Math.Sin(rot), cs = Math.Cos(rot);
        // get_dir([0, -s/2], rot)
        double sdx = 0 * cs - (-0.5 * scaleW) * sn, sdy = 0 * sn + (-0.5 * scaleW) * cs;
        double ddx = 0, ddy = -0.5 * outWidth;
        Span<double> src = stackalloc double[6];
        Span<double> dst = stackalloc double[6];
        src[0] = cx + scaleW * shiftX; src[1] = cy + scaleH * shiftY;
        src[2] = src[0] + sdx; src[3] = src[1] + sdy;
        dst[0] = 0.5 * outWidth; dst[1] = 0.5 * outHeight;
        dst[2] = dst[0] + ddx; dst[3] = dst[1] + ddy;
        ThirdPoint(src, src[0], src[1], src[2], src[3]);
        ThirdPoint(dst, dst[0], dst[1], dst[2], dst[3]);
        return inverse ? FromPoints(dst, src) : FromPoints(src, dst);
    }

    private static void ThirdPoint(Span<double> p, double ax, double ay, double bx, double by)
    {
        double dx = ax - bx, dy = ay - by;
        p[4] = bx - dy;
        p[5] = by + dx;
    }

    /// <summary>Inverse of A [2, 3]; throws when A is singular.</summary>
    public static double[] Invert(ReadOnlySpan<double> a)
    {
        Check(a);
        double det = a[0] * a[4] - a[1] * a[3];
        if (!double.IsFinite(det) || Math.Abs(det) < 1e-300) throw new ArgumentException("affine transform is singular", nameof(a));
        double i00 = a[4] / det, i01 = -a[1] / det, i10 = -a[3] / det, i11 = a[0] / det;
        return [i00, i01, -(i00 * a[2] + i01 * a[5]), i10, i11, -(i10 * a[2] + i11 * a[5])];
    }

    /// <summary>Composition C = outer ∘ inner, i.e. C(p) = outer(inner(p)), as [2, 3].</summary>
    public static double[] Compose(ReadOnlySpan<double> outer, ReadOnlySpan<double> inner)
    {
        Check(outer); Check(inner);
        return
        [
            outer[0] * inner[0] + outer[1] * inner[3], outer[0] * inner[1] + outer[1] * inner[4], outer[0] * inner[2] + outer[1] * inner[5] + outer[2],
            outer[3] * inner[0] + outer[4] * inner[3], outer[3] * inner[1] + outer[4] * inner[4], outer[3] * inner[2] + outer[4] * inner[5] + outer[5],
        ];
    }

    /// <summary>The affine part (top two rows, divided by H22) of a 3×3 matrix such as K_int·K⁻¹.</summary>
    public static double[] FromMatrix3x3(ReadOnlySpan<double> h)
    {
        if (h.Length != 9) throw new ArgumentException($"matrix must be [9] (3×3), got [{h.Length}]", nameof(h));
        double s = h[8];
        return [h[0] / s, h[1] / s, h[2] / s, h[3] / s, h[4] / s, h[5] / s];
    }

    /// <summary>Applies A [2, 3] to one point.</summary>
    public static (double X, double Y) Apply(ReadOnlySpan<double> a, double x, double y)
    {
        Check(a);
        return (a[0] * x + a[1] * y + a[2], a[3] * x + a[4] * y + a[5]);
    }

    /// <summary>Applies A [2, 3] to points [n, 2] into <paramref name="output"/> [n, 2] (may alias the input).</summary>
    public static void Apply(ReadOnlySpan<double> a, ReadOnlySpan<double> points, Span<double> output)
    {
        Check(a);
        if (points.Length % 2 != 0 || output.Length != points.Length)
            throw new ArgumentException($"points [{points.Length / 2.0}, 2] and output [{output.Length / 2.0}, 2] must be equal [n, 2] arrays");
        for (int i = 0; i < points.Length; i += 2)
        {
            double x = points[i], y = points[i + 1];
            output[i] = a[0] * x + a[1] * y + a[2];
            output[i + 1] = a[3] * x + a[4] * y + a[5];
        }
    }

    /// <summary>Applies A [2, 3] to single-precision points [n, 2] into <paramref name="output"/> [n, 2].</summary>
    public static void Apply(ReadOnlySpan<double> a, ReadOnlySpan<float> points, Span<float> output)
    {
        Check(a);
        if (points.Length % 2 != 0 || output.Length != points.Length)
            throw new ArgumentException($"points [{points.Length / 2.0}, 2] and output [{output.Length / 2.0}, 2] must be equal [n, 2] arrays");
        for (int i = 0; i < points.Length; i += 2)
        {
            double x = points[i], y = points[i + 1];
            output[i] = (float)(a[0] * x + a[1] * y + a[2]);
            output[i + 1] = (float)(a[3] * x + a[4] * y + a[5]);
        }
    }

    private static void Check(ReadOnlySpan<double> a)
    {
        if (a.Length != 6) throw new ArgumentException($"affine must be [6] (2×3 row-major), got [{a.Length}]", nameof(a));
    }
}
