namespace PoseKD.Geometry.Rotations;

/// <summary>
/// Euler angles ↔ rotation matrices in the 24 conventions of transforms3d (Gohlke's
/// <c>transformations.py</c>): the axes string is 's' (static) or 'r' (rotating) followed by the axis
/// sequence, e.g. <c>sxyz</c>: R = Rz(ak)·Ry(aj)·Rx(ai). The reference's symmetry rule uses
/// <c>sxyz</c>, <c>syzx</c> and <c>szyx</c>.
/// </summary>
public static class Euler
{
    private static readonly int[] NextAxis = [1, 2, 0, 1];

    private static (int First, int Parity, int Repetition, int Frame) Tuple(string axes) => axes.ToLowerInvariant() switch
    {
        "sxyz" => (0, 0, 0, 0), "sxyx" => (0, 0, 1, 0), "sxzy" => (0, 1, 0, 0), "sxzx" => (0, 1, 1, 0),
        "syzx" => (1, 0, 0, 0), "syzy" => (1, 0, 1, 0), "syxz" => (1, 1, 0, 0), "syxy" => (1, 1, 1, 0),
        "szxy" => (2, 0, 0, 0), "szxz" => (2, 0, 1, 0), "szyx" => (2, 1, 0, 0), "szyz" => (2, 1, 1, 0),
        "rzyx" => (0, 0, 0, 1), "rxyx" => (0, 0, 1, 1), "ryzx" => (0, 1, 0, 1), "rxzx" => (0, 1, 1, 1),
        "rxzy" => (1, 0, 0, 1), "ryzy" => (1, 0, 1, 1), "rzxy" => (1, 1, 0, 1), "ryxy" => (1, 1, 1, 1),
        "ryxz" => (2, 0, 0, 1), "rzxz" => (2, 0, 1, 1), "rxyz" => (2, 1, 0, 1), "rzyz" => (2, 1, 1, 1),
        _ => throw new ArgumentException($"unknown Euler axes '{axes}' (expected e.g. sxyz, syzx, szyx)", nameof(axes)),
    };

    /// <summary>Rotation matrix R [3, 3] of the Euler angles (ai, aj, ak) in radians for <paramref name="axes"/> (transforms3d <c>euler2mat</c>).</summary>
    public static void ToMatrix(double ai, double aj, double ak, string axes, Span<double> r)
    {
        if (r.Length < 9) throw new ArgumentException($"R must be [9], got [{r.Length}]", nameof(r));
        var (i, parity, repetition, frame) = Tuple(axes);
        int j = NextAxis[i + parity], k = NextAxis[i - parity + 1];
        if (frame != 0) (ai, ak) = (ak, ai);
        if (parity != 0) { ai = -ai; aj = -aj; ak = -ak; }
        double si = Math.Sin(ai), sj = Math.Sin(aj), sk = Math.Sin(ak);
        double ci = Math.Cos(ai), cj = Math.Cos(aj), ck = Math.Cos(ak);
        double cc = ci * ck, cs = ci * sk, sc = si * ck, ss = si * sk;
        if (repetition != 0)
        {
            r[3 * i + i] = cj; r[3 * i + j] = sj * si; r[3 * i + k] = sj * ci;
            r[3 * j + i] = sj * sk; r[3 * j + j] = -cj * ss + cc; r[3 * j + k] = -cj * cs - sc;
            r[3 * k + i] = -sj * ck; r[3 * k + j] = cj * sc + cs; r[3 * k + k] = cj * cc - ss;
        }
        else
        {
            r[3 * i + i] = cj * ck; r[3 * i + j] = sj * sc - cs; r[3 * i + k] = sj * cc + ss;
            r[3 * j + i] = cj * sk; r[3 * j + j] = sj * ss + cc; r[3 * j + k] = sj * cs - sc;
            r[3 * k + i] = -sj; r[3 * k + j] = cj * si; r[3 * k + k] = cj * ci;
        }
    }

    /// <summary>Euler angles (ai, aj, ak) in radians of R [3, 3] for <paramref name="axes"/> (transforms3d <c>mat2euler</c>, gimbal threshold 4·ε).</summary>
    public static (double Ai, double Aj, double Ak) FromMatrix(ReadOnlySpan<double> m, string axes)
    {
        if (m.Length < 9) throw new ArgumentException($"R must be [9], got [{m.Length}]", nameof(m));
        var (i, parity, repetition, frame) = Tuple(axes);
        int j = NextAxis[i + parity], k = NextAxis[i - parity + 1];
        const double eps4 = 4 * 2.220446049250313e-16;
        double ax, ay, az;
        if (repetition != 0)
        {
            double sy = Math.Sqrt(m[3 * i + j] * m[3 * i + j] + m[3 * i + k] * m[3 * i + k]);
            if (sy > eps4)
            {
                ax = Math.Atan2(m[3 * i + j], m[3 * i + k]);
                ay = Math.Atan2(sy, m[3 * i + i]);
                az = Math.Atan2(m[3 * j + i], -m[3 * k + i]);
            }
            else
            {
                ax = Math.Atan2(-m[3 * j + k], m[3 * j + j]);
                ay = Math.Atan2(sy, m[3 * i + i]);
                az = 0;
            }
        }
        else
        {
            double cy = Math.Sqrt(m[3 * i + i] * m[3 * i + i] + m[3 * j + i] * m[3 * j + i]);
            if (cy > eps4)
            {
                ax = Math.Atan2(m[3 * k + j], m[3 * k + k]);
                ay = Math.Atan2(-m[3 * k + i], cy);
                az = Math.Atan2(m[3 * j + i], m[3 * i + i]);
            }
            else
            {
                ax = Math.Atan2(-m[3 * j + k], m[3 * j + j]);
                ay = Math.Atan2(-m[3 * k + i], cy);
                az = 0;
            }
        }
        if (parity != 0) { ax = -ax; ay = -ay; az = -az; }
        if (frame != 0) (ax, az) = (az, ax);
        return (ax, ay, az);
    }
}
