namespace PoseKD.Geometry.Rotations;

/// <summary>
/// Axis-angle (Rodrigues) vectors r = θ·u ↔ rotation matrices (row-major 3×3), as OpenCV's
/// <c>cv2.Rodrigues</c>: R = I + sin θ [u]× + (1 − cos θ) [u]×².
/// </summary>
public static class Rodrigues
{
    /// <summary>Rotation matrix R [3, 3] of the rotation vector <paramref name="rvec"/> [3].</summary>
    public static void ToMatrix(ReadOnlySpan<double> rvec, Span<double> r)
    {
        if (rvec.Length != 3 || r.Length < 9) throw new ArgumentException($"rvec must be [3] and R [9], got [{rvec.Length}] and [{r.Length}]");
        double theta = Math.Sqrt(rvec[0] * rvec[0] + rvec[1] * rvec[1] + rvec[2] * rvec[2]);
        if (theta < 1e-300)
        {
            r[..9].Clear(); r[0] = r[4] = r[8] = 1;
            return;
        }
        double ux = rvec[0] / theta, uy = rvec[1] / theta, uz = rvec[2] / theta;
        double c = Math.Cos(theta), s = Math.Sin(theta), c1 = 1 - c;
        r[0] = c + c1 * ux * ux; r[1] = c1 * ux * uy - s * uz; r[2] = c1 * ux * uz + s * uy;
        r[3] = c1 * uy * ux + s * uz; r[4] = c + c1 * uy * uy; r[5] = c1 * uy * uz - s * ux;
        r[6] = c1 * uz * ux - s * uy; r[7] = c1 * uz * uy + s * ux; r[8] = c + c1 * uz * uz;
    }

    /// <summary>Rotation matrix [9] of <paramref name="rvec"/> [3] (allocating overload).</summary>
    public static double[] ToMatrix(ReadOnlySpan<double> rvec)
    {
        var r = new double[9];
        ToMatrix(rvec, r);
        return r;
    }

    /// <summary>
    /// Rotation vector [3] of the rotation matrix R [3, 3] (θ ∈ [0, π]); computed through the unit
    /// quaternion so that it is accurate near θ = 0 and θ = π. R is assumed orthonormal.
    /// </summary>
    public static void FromMatrix(ReadOnlySpan<double> r, Span<double> rvec)
    {
        if (r.Length < 9 || rvec.Length != 3) throw new ArgumentException($"R must be [9] and rvec [3], got [{r.Length}] and [{rvec.Length}]");
        Span<double> q = stackalloc double[4];
        Quaternions.FromMatrix(r, q);
        double w = q[0], x = q[1], y = q[2], z = q[3];
        if (w < 0) { w = -w; x = -x; y = -y; z = -z; }
        double sinHalf = Math.Sqrt(x * x + y * y + z * z);
        if (sinHalf < 1e-300) { rvec.Clear(); return; }
        double theta = 2 * Math.Atan2(sinHalf, w);
        double f = theta / sinHalf;
        rvec[0] = x * f; rvec[1] = y * f; rvec[2] = z * f;
    }

    /// <summary>Rotation vector [3] of R [3, 3] (allocating overload).</summary>
    public static double[] FromMatrix(ReadOnlySpan<double> r)
    {
        var v = new double[3];
        FromMatrix(r, v);
        return v;
    }
}
