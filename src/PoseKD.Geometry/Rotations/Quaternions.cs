namespace PoseKD.Geometry.Rotations;

/// <summary>
/// Unit quaternions q = (w, x, y, z) ↔ rotation matrices (row-major 3×3). The conversions follow the
/// reference's <c>quaternion2rotation</c> / <c>rotation2quaternion</c> (Shepperd's branch on the
/// largest diagonal term).
/// </summary>
public static class Quaternions
{
    /// <summary>R [3, 3] of the quaternion q [4] = (w, x, y, z), normalised first.</summary>
    public static void ToMatrix(ReadOnlySpan<double> q, Span<double> r)
    {
        if (q.Length != 4 || r.Length < 9) throw new ArgumentException($"q must be [4] and R [9], got [{q.Length}] and [{r.Length}]");
        double n = Math.Sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        if (!(n > 0)) throw new ArgumentException("quaternion has zero norm", nameof(q));
        LinearAlgebra.SmallMatrix.QuaternionToMatrix(q[0] / n, q[1] / n, q[2] / n, q[3] / n, r);
    }

    /// <summary>
    /// Quaternion q [4] = (w, x, y, z) of R [3, 3]. If tr R &gt; 0: s = 2√(tr + 1), w = s/4,
    /// x = (R21 − R12)/s, y = (R02 − R20)/s, z = (R10 − R01)/s; otherwise the branch of the largest
    /// diagonal element (as the reference).
    /// </summary>
    public static void FromMatrix(ReadOnlySpan<double> m, Span<double> q)
    {
        if (m.Length < 9 || q.Length != 4) throw new ArgumentException($"R must be [9] and q [4], got [{m.Length}] and [{q.Length}]");
        double tr = m[0] + m[4] + m[8];
        double w, x, y, z, s;
        if (tr > 0)
        {
            s = Math.Sqrt(tr + 1.0) * 2;
            w = 0.25 * s; x = (m[7] - m[5]) / s; y = (m[2] - m[6]) / s; z = (m[3] - m[1]) / s;
        }
        else if (m[0] > m[4] && m[0] > m[8])
        {
            s = Math.Sqrt(1.0 + m[0] - m[4] - m[8]) * 2;
            w = (m[7] - m[5]) / s; x = 0.25 * s; y = (m[1] + m[3]) / s; z = (m[2] + m[6]) / s;
        }
        else if (m[4] > m[8])
        {
            s = Math.Sqrt(1.0 + m[4] - m[0] - m[8]) * 2;
            w = (m[2] - m[6]) / s; x = (m[1] + m[3]) / s; y = 0.25 * s; z = (m[5] + m[7]) / s;
        }
        else
        {
            s = Math.Sqrt(1.0 + m[8] - m[0] - m[4]) * 2;
            w = (m[3] - m[1]) / s; x = (m[2] + m[6]) / s; y = (m[5] + m[7]) / s; z = 0.25 * s;
        }
        q[0] = w; q[1] = x; q[2] = y; q[3] = z;
    }

    /// <summary>Quaternion [4] of R [3, 3] (allocating overload).</summary>
    public static double[] FromMatrix(ReadOnlySpan<double> r)
    {
        var q = new double[4];
        FromMatrix(r, q);
        return q;
    }
}
