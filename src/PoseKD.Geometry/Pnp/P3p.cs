using System.Numerics;
using PoseKD.Geometry.LinearAlgebra;

namespace PoseKD.Geometry.Pnp;

/// <summary>
/// Perspective-three-point with a fourth point to choose among the solutions, as OpenCV's
/// <c>solvePnP(..., SOLVEPNP_P3P)</c> on exactly 4 points (which is what <c>solvePnPRansac</c> does with 4
/// correspondences): the depths s_i of points 0, 1, 2 along their viewing rays from the law of cosines
/// (s_2 = u·s_1, s_3 = v·s_1 eliminated to a quartic in v, Grunert 1841 / Haralick et al., IJCV 1994), each
/// real root with positive depths polished by Gauss-Newton, the pose by absolute orientation, and among the
/// solutions the one OpenCV picks with its own criterion on point 3 (see the code). The depths here solve the
/// three distance equations to machine precision; OpenCV's Gao-et-al. solver is looser, so the poses agree on
/// the branch but differ by its residual (hundredths of a degree typically). Pixels go through fx, fy, cx, cy.
/// </summary>
internal static class P3p
{
    /// <summary>Solves from 4 object points [4, 3] and pixels [4, 2]; false when no solution has positive depths.</summary>
    public static bool Solve(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, ReadOnlySpan<double> k, Span<double> r, Span<double> t)
    {
        double fx = k[0], fy = k[4], cx = k[2], cy = k[5];
        var ray = new double[9];
        for (int i = 0; i < 3; i++)
        {
            double x = (uv[2 * i] - cx) / fx, y = (uv[2 * i + 1] - cy) / fy, nrm = Math.Sqrt(x * x + y * y + 1);
            ray[3 * i] = x / nrm; ray[3 * i + 1] = y / nrm; ray[3 * i + 2] = 1 / nrm;
        }
        double x3 = (uv[6] - cx) / fx, y3 = (uv[7] - cy) / fy, n3 = Math.Sqrt(x3 * x3 + y3 * y3 + 1);
        double m3u = x3 / n3, m3v = y3 / n3;
        double Dot(int a, int b) => ray[3 * a] * ray[3 * b] + ray[3 * a + 1] * ray[3 * b + 1] + ray[3 * a + 2] * ray[3 * b + 2];
        double D2(ReadOnlySpan<double> p, int a, int b)
        {
            double dx = p[3 * a] - p[3 * b], dy = p[3 * a + 1] - p[3 * b + 1], dz = p[3 * a + 2] - p[3 * b + 2];
            return dx * dx + dy * dy + dz * dz;
        }
        double c12 = Dot(0, 1), c13 = Dot(0, 2), c23 = Dot(1, 2);
        double d12 = D2(pw, 0, 1), d13 = D2(pw, 0, 2), d23 = D2(pw, 1, 2);
        if (!(d12 > 0 && d13 > 0 && d23 > 0)) return false;
        double k1 = d12 / d13, k2 = d23 / d13;
        // u = N(v) / D(v); N = v² − 1 + (K1 − K2)(1 + v² − 2 c13 v), D = 2 (c23 v − c12);
        // quartic: N² − 2 c12 N D + (1 − K1 (1 + v² − 2 c13 v)) D² = 0 (coefficients low → high).
        double kk = k1 - k2;
        double[] n = [-1 + kk, -2 * c13 * kk, 1 + kk];
        double[] d = [-2 * c12, 2 * c23];
        double[] q = [1 - k1, 2 * c13 * k1, -k1];
        var poly = Add(Add(Mul(n, n), Scale(Mul(n, d), -2 * c12)), Mul(q, Mul(d, d)));
        double best = double.PositiveInfinity;
        Span<double> s = stackalloc double[3];
        Span<double> pc = stackalloc double[9];
        Span<double> rr = stackalloc double[9];
        Span<double> tt = stackalloc double[3];
        foreach (double v0 in RealRoots(poly))
        {
            double v = v0;
            double den = 2 * (c23 * v - c12);
            if (Math.Abs(den) < 1e-12) continue;
            double u = Eval(n, v) / den;
            double q13 = 1 + v * v - 2 * c13 * v;
            if (!(u > 0 && v > 0 && q13 > 0)) continue;
            s[0] = Math.Sqrt(d13 / q13); s[1] = u * s[0]; s[2] = v * s[0];
            if (!Polish(s, c12, c13, c23, d12, d13, d23)) continue;
            if (!(s[0] > 0 && s[1] > 0 && s[2] > 0)) continue;
            for (int i = 0; i < 3; i++)
                for (int c = 0; c < 3; c++) pc[3 * i + c] = s[i] * ray[3 * i + c];
            if (!Align(pw, pc, rr, tt)) continue;
            // OpenCV's choice (p3p.cpp, 4-point case): the projection X/Z, Y/Z of point 3 against its ray's x, y
            // components on the unit sphere — not the same quantity, but it decides which root OpenCV returns.
            double X = pw[9], Y = pw[10], Z = pw[11];
            double zc = rr[6] * X + rr[7] * Y + rr[8] * Z + tt[2];
            double mu = (rr[0] * X + rr[1] * Y + rr[2] * Z + tt[0]) / zc;
            double mv = (rr[3] * X + rr[4] * Y + rr[5] * Z + tt[1]) / zc;
            double err = (mu - m3u) * (mu - m3u) + (mv - m3v) * (mv - m3v);
            if (err < best) { best = err; rr.CopyTo(r); tt.CopyTo(t); }
        }
        return double.IsFinite(best);
    }

    // Gauss-Newton on f_ab = s_a² + s_b² − 2 c_ab s_a s_b − d_ab² (3 equations, 3 unknowns).
    private static bool Polish(Span<double> s, double c12, double c13, double c23, double d12, double d13, double d23)
    {
        Span<double> j = stackalloc double[9];
        Span<double> f = stackalloc double[3];
        Span<double> dx = stackalloc double[3];
        Span<double> inv = stackalloc double[9];
        for (int it = 0; it < 8; it++)
        {
            f[0] = s[0] * s[0] + s[1] * s[1] - 2 * c12 * s[0] * s[1] - d12;
            f[1] = s[0] * s[0] + s[2] * s[2] - 2 * c13 * s[0] * s[2] - d13;
            f[2] = s[1] * s[1] + s[2] * s[2] - 2 * c23 * s[1] * s[2] - d23;
            j[0] = 2 * s[0] - 2 * c12 * s[1]; j[1] = 2 * s[1] - 2 * c12 * s[0]; j[2] = 0;
            j[3] = 2 * s[0] - 2 * c13 * s[2]; j[4] = 0; j[5] = 2 * s[2] - 2 * c13 * s[0];
            j[6] = 0; j[7] = 2 * s[1] - 2 * c23 * s[2]; j[8] = 2 * s[2] - 2 * c23 * s[1];
            if (!SmallMatrix.Inverse3(j, inv)) return it > 0;
            for (int a = 0; a < 3; a++) dx[a] = inv[3 * a] * f[0] + inv[3 * a + 1] * f[1] + inv[3 * a + 2] * f[2];
            for (int a = 0; a < 3; a++) s[a] -= dx[a];
            if (Math.Abs(dx[0]) + Math.Abs(dx[1]) + Math.Abs(dx[2]) < 1e-15 * (s[0] + s[1] + s[2])) break;
        }
        double scale = d12 + d13 + d23;
        f[0] = s[0] * s[0] + s[1] * s[1] - 2 * c12 * s[0] * s[1] - d12;
        f[1] = s[0] * s[0] + s[2] * s[2] - 2 * c13 * s[0] * s[2] - d13;
        f[2] = s[1] * s[1] + s[2] * s[2] - 2 * c23 * s[1] * s[2] - d23;
        return Math.Abs(f[0]) + Math.Abs(f[1]) + Math.Abs(f[2]) < 1e-6 * scale;
    }

    // Rigid transform pc_i = R·pw_i + t from the first 3 points (Horn's absolute orientation).
    private static bool Align(ReadOnlySpan<double> pw, ReadOnlySpan<double> pc, Span<double> r, Span<double> t)
    {
        double w0 = 0, w1 = 0, w2 = 0, c0 = 0, c1 = 0, c2 = 0;
        for (int i = 0; i < 3; i++)
        {
            w0 += pw[3 * i] / 3; w1 += pw[3 * i + 1] / 3; w2 += pw[3 * i + 2] / 3;
            c0 += pc[3 * i] / 3; c1 += pc[3 * i + 1] / 3; c2 += pc[3 * i + 2] / 3;
        }
        Span<double> sm = stackalloc double[9];
        sm.Clear();
        for (int i = 0; i < 3; i++)
        {
            double bx = pw[3 * i] - w0, by = pw[3 * i + 1] - w1, bz = pw[3 * i + 2] - w2;
            double ax = pc[3 * i] - c0, ay = pc[3 * i + 1] - c1, az = pc[3 * i + 2] - c2;
            sm[0] += bx * ax; sm[1] += bx * ay; sm[2] += bx * az;
            sm[3] += by * ax; sm[4] += by * ay; sm[5] += by * az;
            sm[6] += bz * ax; sm[7] += bz * ay; sm[8] += bz * az;
        }
        if (!SmallMatrix.AbsoluteOrientation(sm, r)) return false;
        t[0] = c0 - (r[0] * w0 + r[1] * w1 + r[2] * w2);
        t[1] = c1 - (r[3] * w0 + r[4] * w1 + r[5] * w2);
        t[2] = c2 - (r[6] * w0 + r[7] * w1 + r[8] * w2);
        return double.IsFinite(t[0]) && double.IsFinite(t[1]) && double.IsFinite(t[2]);
    }

    private static double[] Mul(double[] a, double[] b)
    {
        var c = new double[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++) c[i + j] += a[i] * b[j];
        return c;
    }

    private static double[] Add(double[] a, double[] b)
    {
        var c = new double[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < a.Length; i++) c[i] += a[i];
        for (int i = 0; i < b.Length; i++) c[i] += b[i];
        return c;
    }

    private static double[] Scale(double[] a, double s) => a.Select(x => x * s).ToArray();

    private static double Eval(double[] p, double x)
    {
        double y = 0;
        for (int i = p.Length - 1; i >= 0; i--) y = y * x + p[i];
        return y;
    }

    /// <summary>Real roots of the polynomial p (coefficients low → high) by Durand–Kerner, polished by Newton.</summary>
    private static List<double> RealRoots(double[] p)
    {
        int deg = p.Length - 1;
        while (deg > 0 && Math.Abs(p[deg]) <= 1e-14 * p.Take(deg).Sum(Math.Abs)) deg--;
        var roots = new List<double>();
        if (deg < 1) return roots;
        var a = new Complex[deg + 1];
        for (int i = 0; i <= deg; i++) a[i] = p[i] / p[deg];
        var z = new Complex[deg];
        var seed = new Complex(0.4, 0.9);
        for (int i = 0; i < deg; i++) z[i] = Complex.Pow(seed, i);
        for (int it = 0; it < 500; it++)
        {
            double change = 0;
            for (int i = 0; i < deg; i++)
            {
                Complex num = a[deg], den = 1;
                for (int c = deg - 1; c >= 0; c--) num = num * z[i] + a[c];
                for (int j = 0; j < deg; j++) if (j != i) den *= z[i] - z[j];
                if (den == Complex.Zero) den = 1e-12;
                var dz = num / den;
                z[i] -= dz;
                change = Math.Max(change, dz.Magnitude / (1 + z[i].Magnitude));
            }
            if (change < 1e-15) break;
        }
        foreach (var zi in z)
        {
            if (Math.Abs(zi.Imaginary) > 1e-6 * (1 + Math.Abs(zi.Real))) continue;
            double x = zi.Real;
            for (int it = 0; it < 5; it++)
            {
                double f = 0, df = 0;
                for (int c = deg; c >= 0; c--) { df = df * x + f; f = f * x + p[c]; }
                if (df == 0) break;
                x -= f / df;
            }
            if (double.IsFinite(x)) roots.Add(x);
        }
        return roots;
    }
}
