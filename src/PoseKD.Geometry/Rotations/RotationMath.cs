namespace PoseKD.Geometry.Rotations;

/// <summary>Small rotation helpers: angle between rotations, axis-angle matrices, multiplication.</summary>
public static class RotationMath
{
    /// <summary>
    /// Angle in degrees between two rotations, e = arccos((tr(R_a·R_bᵀ) − 1)/2) with the cosine clamped
    /// to [−1, 1] (bop_toolkit's <c>re</c>).
    /// </summary>
    public static double AngleDeg(ReadOnlySpan<double> ra, ReadOnlySpan<double> rb)
    {
        if (ra.Length != 9 || rb.Length != 9) throw new ArgumentException($"rotations must be [9], got [{ra.Length}] and [{rb.Length}]");
        double tr = 0;
        for (int i = 0; i < 9; i++) tr += ra[i] * rb[i];
        double c = Math.Clamp(0.5 * (tr - 1), -1, 1);
        return Math.Acos(c) * 180 / Math.PI;
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
