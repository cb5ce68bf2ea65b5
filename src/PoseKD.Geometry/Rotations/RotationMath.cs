namespace PoseKD.Geometry.Rotations;

/// <summary>Small rotation helpers: angle between rotations, axis-angle matrices, multiplication.</summary>
public static class RotationMath
{
    /// <summary>
    /// Angle in degrees between two rotations, e = arccos((tr(R_a·R_bᵀ) − 1)/2) with the cosine clamped
    /// to [−1, 1]. For exactly orthonormal inputs this equals <see cref="BopAngleDeg"/>; for annotations
    /// that are only approximately orthonormal use that one (it is the BOP toolkit's definition).
    /// </summary>
    public static double AngleDeg(ReadOnlySpan<double> ra, ReadOnlySpan<double> rb)
    {
        if (ra.Length != 9 || rb.Length != 9) throw new ArgumentException($"rotations must be [9], got [{ra.Length}] and [{rb.Length}]");
        double tr = 0;
        for (int i = 0; i < 9; i++) tr += ra[i] * rb[i];
        double c = Math.Clamp(0.5 * (tr - 1), -1, 1);
        return Math.Acos(c) * 180 / Math.PI;
    }

    /// <summary>
    /// The BOP toolkit's rotation error <c>re</c>: e = arccos(clamp((tr(R_est·R_gt⁻¹) − 1)/2, −1, 1)) in
    /// degrees, with the trace capped at 3 — the inverse, not the transpose, so that ground truth that is
    /// not exactly orthonormal (as in real BOP annotations) gives the toolkit's number.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes are not [9], or R_gt is singular.</exception>
    public static double BopAngleDeg(ReadOnlySpan<double> rEst, ReadOnlySpan<double> rGt)
    {
        if (rEst.Length != 9 || rGt.Length != 9) throw new ArgumentException($"rotations must be [9], got [{rEst.Length}] and [{rGt.Length}]");
        var inv = Inverse3(rGt);
        double tr = 0;
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 3; k++) tr += rEst[3 * i + k] * inv[3 * k + i];
        if (tr > 3) tr = 3;
        double c = Math.Min(1.0, Math.Max(-1.0, 0.5 * (tr - 1.0)));
        return 180.0 * Math.Acos(c) / Math.PI;
    }

    /// <summary>Inverse [9] of a 3×3 row-major matrix (adjugate / determinant).</summary>
    /// <exception cref="ArgumentException">The matrix is not [9], or its determinant is zero or not finite.</exception>
    public static double[] Inverse3(ReadOnlySpan<double> a)
    {
        if (a.Length != 9) throw new ArgumentException($"matrix must be [9], got [{a.Length}]", nameof(a));
        double c00 = a[4] * a[8] - a[5] * a[7], c01 = a[5] * a[6] - a[3] * a[8], c02 = a[3] * a[7] - a[4] * a[6];
        double det = a[0] * c00 + a[1] * c01 + a[2] * c02;
        if (det == 0 || !double.IsFinite(det)) throw new ArgumentException($"matrix is singular or not finite (det = {det})", nameof(a));
        double id = 1 / det;
        return
        [
            c00 * id, (a[2] * a[7] - a[1] * a[8]) * id, (a[1] * a[5] - a[2] * a[4]) * id,
            c01 * id, (a[0] * a[8] - a[2] * a[6]) * id, (a[2] * a[3] - a[0] * a[5]) * id,
            c02 * id, (a[1] * a[6] - a[0] * a[7]) * id, (a[0] * a[4] - a[1] * a[3]) * id,
        ];
    }

    /// <summary>Default tolerance of <see cref="CheckRotation"/> for estimated poses: max |(R·Rᵀ − I)_ij| ≤ 1e-3.</summary>
    public const double EstimateTolerance = 1e-3;

    /// <summary>
    /// Tolerance of <see cref="CheckRotation"/> for ground-truth annotations (max |(R·Rᵀ − I)_ij| ≤ 0.05): real
    /// BOP annotations are rounded and not exactly orthonormal; anything beyond this is not a rotation.
    /// </summary>
    public const double AnnotationTolerance = 0.05;

    /// <summary>
    /// Why <paramref name="r"/> [9] is not a proper rotation, or null when it is one: every entry finite,
    /// max_ij |(R·Rᵀ − I)_ij| ≤ <paramref name="tolerance"/> and det R &gt; 0.
    /// </summary>
    public static string? CheckRotation(ReadOnlySpan<double> r, double tolerance = EstimateTolerance)
    {
        if (r.Length != 9) return $"expected 9 numbers, found {r.Length}";
        foreach (double v in r) if (!double.IsFinite(v)) return $"entry {v} is not finite";
        double worst = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double d = r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2] - (i == j ? 1 : 0);
                worst = Math.Max(worst, Math.Abs(d));
            }
        if (!(worst <= tolerance))
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"not orthonormal (max |R·Rᵀ − I| = {worst:G4}, tolerance {tolerance:G4})");
        double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
        if (!(det > 0)) return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"improper (det = {det:G4}: a reflection, not a rotation)");
        return null;
    }

    /// <summary>Rotation [9] by <paramref name="angleRad"/> about <paramref name="axis"/> [3] (normalised; Rodrigues' formula).</summary>
    public static double[] AxisAngle(ReadOnlySpan<double> axis, double angleRad)
    {
        if (axis.Length != 3) throw new ArgumentException($"axis must be [3], got [{axis.Length}]", nameof(axis));
        double n = Math.Sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        if (!(n > 0)) throw new ArgumentException("axis has zero length", nameof(axis));
        return Rodrigues.ToMatrix([axis[0] / n * angleRad, axis[1] / n * angleRad, axis[2] / n * angleRad]);
    }

    /// <summary>C [9] = A [9] · B [9] (3×3 row-major).</summary>
    public static double[] Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != 9 || b.Length != 9) throw new ArgumentException($"matrices must be [9], got [{a.Length}] and [{b.Length}]");
        var c = new double[9];
        LinearAlgebra.SmallMatrix.Mul3(a, b, c);
        return c;
    }

    /// <summary>y [3] = A [9] · x [3].</summary>
    public static double[] Apply(ReadOnlySpan<double> a, ReadOnlySpan<double> x)
    {
        if (a.Length != 9 || x.Length != 3) throw new ArgumentException($"A must be [9] and x [3], got [{a.Length}] and [{x.Length}]");
        return [a[0] * x[0] + a[1] * x[1] + a[2] * x[2], a[3] * x[0] + a[4] * x[1] + a[5] * x[2], a[6] * x[0] + a[7] * x[1] + a[8] * x[2]];
    }
}
