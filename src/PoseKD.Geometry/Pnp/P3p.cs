using PoseKD.Geometry.LinearAlgebra;

namespace PoseKD.Geometry.Pnp;

/// <summary>
/// Perspective-three-point on exactly 4 points as OpenCV's <c>solvePnP(..., SOLVEPNP_P3P)</c> (what
/// <c>solvePnPRansac</c> does with 4 correspondences): Gao, Hou, Tang and Chang's solution ("Complete Solution
/// Classification for the Perspective-Three-Point Problem", PAMI 2003) for the lengths of the rays to points
/// 0, 1, 2 — a quartic in x = |PA|/|PC| solved in closed form through its resolvent cubic, y from a rational
/// expression, roots kept when x, y and the normalisation are positive — then each pose by Horn's absolute
/// orientation, and the pose with the smallest sum of squared pixel errors over all 4 points returned. The
/// normalised image points are rounded to float first, as OpenCV's <c>undistortPoints</c> does for the float
/// points <c>solvePnPRansac</c> hands it: the quartic is sensitive enough that this decides the agreement.
/// Pixels go through fx, fy, cx, cy (no skew).
/// </summary>
internal static class P3p
{
    /// <summary>Solves from 4 object points [4, 3] and pixels [4, 2]; false when no solution exists.</summary>
    public static bool Solve(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, ReadOnlySpan<double> k, Span<double> r, Span<double> t)
    {
        double fx = k[0], fy = k[4], cx = k[2], cy = k[5];
        double invFx = 1 / fx, invFy = 1 / fy, cxFx = cx / fx, cyFy = cy / fy;
        var mu = new double[3];
        var mv = new double[3];
        var mk = new double[3];
        for (int i = 0; i < 3; i++)
        {
            // As OpenCV: undistortPoints stores the normalised point as float, p3p re-scales it to pixels and back.
            double pu0 = (float)((uv[2 * i] - cx) * invFx) * fx + cx, pv0 = (float)((uv[2 * i + 1] - cy) * invFy) * fy + cy;
            double u = invFx * pu0 - cxFx, v = invFy * pv0 - cyFy;
            double norm = Math.Sqrt(u * u + v * v + 1);
            mk[i] = 1 / norm; mu[i] = u * mk[i]; mv[i] = v * mk[i];
        }
        double[] distances = [Dist(pw, 1, 2), Dist(pw, 0, 2), Dist(pw, 0, 1)];
        double[] cosines =
        [
            mu[1] * mu[2] + mv[1] * mv[2] + mk[1] * mk[2],
            mu[0] * mu[2] + mv[0] * mv[2] + mk[0] * mk[2],
            mu[0] * mu[1] + mv[0] * mv[1] + mk[0] * mk[1],
        ];
        var lengths = new double[12];
        int n = SolveForLengths(lengths, distances, cosines);
        double best = double.PositiveInfinity;
        Span<double> pc = stackalloc double[9];
        Span<double> rr = stackalloc double[9];
        Span<double> tt = stackalloc double[3];
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < 3; i++)
            {
                pc[3 * i] = lengths[3 * s + i] * mu[i]; pc[3 * i + 1] = lengths[3 * s + i] * mv[i]; pc[3 * i + 2] = lengths[3 * s + i] * mk[i];
            }
            if (!Align(pw, pc, rr, tt)) continue;
            // solveP3P: solutions ordered by the squared pixel error over all points; the first is returned.
            double err = 0;
            for (int i = 0; i < 4; i++)
            {
                double X = pw[3 * i], Y = pw[3 * i + 1], Z = pw[3 * i + 2];
                double zc = rr[6] * X + rr[7] * Y + rr[8] * Z + tt[2];
                double pu = cx + fx * (rr[0] * X + rr[1] * Y + rr[2] * Z + tt[0]) / zc;
                double pv = cy + fy * (rr[3] * X + rr[4] * Y + rr[5] * Z + tt[1]) / zc;
                err += (uv[2 * i] - pu) * (uv[2 * i] - pu) + (uv[2 * i + 1] - pv) * (uv[2 * i + 1] - pv);
            }
            if (err < best) { best = err; rr.CopyTo(r); tt.CopyTo(t); }
        }
        return double.IsFinite(best);
    }

    private static double Dist(ReadOnlySpan<double> pw, int a, int b)
    {
        double dx = pw[3 * a] - pw[3 * b], dy = pw[3 * a + 1] - pw[3 * b + 1], dz = pw[3 * a + 2] - pw[3 * b + 2];
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }

    // Gao et al.'s lengths |PA|, |PB|, |PC| (up to 4 solutions) from |BC|, |AC|, |AB| and the cosines at P.
    private static int SolveForLengths(double[] lengths, double[] distances, double[] cosines)
    {
        double p = cosines[0] * 2, q = cosines[1] * 2, r = cosines[2] * 2;
        double invD22 = 1.0 / (distances[2] * distances[2]);
        double a = invD22 * (distances[0] * distances[0]);
        double b = invD22 * (distances[1] * distances[1]);
        double a2 = a * a, b2 = b * b, p2 = p * p, q2 = q * q, r2 = r * r;
        double pr = p * r, pqr = q * pr;
        if (p2 + q2 + r2 - pqr - 1 == 0) return 0;
        double ab = a * b, a_2 = 2 * a;
        double A = -2 * b + b2 + a2 + 1 + ab * (2 - r2) - a_2;
        if (A == 0) return 0;
        double a_4 = 4 * a;
        double B = q * (-2 * (ab + a2 + 1 - b) + r2 * ab + a_4) + pr * (b - b2 + ab);
        double C = q2 + b2 * (r2 + p2 - 2) - b * (p2 + pqr) - ab * (r2 + pqr) + (a2 - a_2) * (2 + q2) + 2;
        double D = pr * (ab - b2 + b) + q * ((p2 - 2) * b + 2 * (ab - a2) + a_4 - 2);
        double E = 1 + 2 * (b - a - ab) + b2 - b * p2 + a2;
        double temp = p2 * (a - 1 + b) + r2 * (a - 1 - b) + pqr - a * pqr;
        double b0 = b * temp * temp;
        if (b0 == 0) return 0;
        Span<double> roots = stackalloc double[4];
        int n = SolveDeg4(A, B, C, D, E, roots);
        double r3 = r2 * r, pr2 = p * r2, r3q = r3 * q, invB0 = 1.0 / b0;
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            double x = roots[i];
            if (x <= 0) continue;
            double x2 = x * x;
            double b1 = ((1 - a - b) * x2 + (q * a - q) * x + 1 - a + b) *
                (((r3 * (a2 + ab * (2 - r2) - a_2 + b2 - 2 * b + 1)) * x +
                  (r3q * (2 * (b - a2) + a_4 + ab * (r2 - 2) - 2) + pr2 * (1 + a2 + 2 * (ab - a - b) + r2 * (b - b2) + b2))) * x2 +
                 (r3 * (q2 * (1 - 2 * a + a2) + r2 * (b2 - ab) - a_4 + 2 * (a2 - b2) + 2) + r * p2 * (b2 + 2 * (ab - b - a) + 1 + a2)
                  + pr2 * q * (a_4 + 2 * (b - ab - a2) - 2 - r2 * b)) * x +
                 2 * r3q * (a_2 - b - a2 + ab - 1) + pr2 * (q2 - a_4 + 2 * (a2 - b2) + r2 * b + q2 * (a2 - a_2) + 2) +
                 p2 * (p * (2 * (ab - a - b) + a2 + b2 + 1) + 2 * q * r * (b + a_2 - a2 - ab - 1)));
            if (b1 <= 0) continue;
            double y = invB0 * b1;
            double v = x2 + y * y - x * y * r;
            if (v <= 0) continue;
            double z = distances[2] / Math.Sqrt(v);
            lengths[3 * count] = x * z; lengths[3 * count + 1] = y * z; lengths[3 * count + 2] = z;
            count++;
        }
        return count;
    }

    private static int SolveDeg2(double a, double b, double c, out double x1, out double x2)
    {
        double delta = b * b - 4 * a * c;
        x1 = x2 = 0;
        if (delta < 0) return 0;
        double inv2a = 0.5 / a;
        if (delta == 0) { x1 = x2 = -b * inv2a; return 1; }
        double sd = Math.Sqrt(delta);
        x1 = (-b + sd) * inv2a;
        x2 = (-b - sd) * inv2a;
        return 2;
    }

    // Real roots of a x³ + b x² + c x + d by the trigonometric / Cardano forms (first root only when one is real).
    private static int SolveDeg3(double a, double b, double c, double d, out double x0, out double x1, out double x2)
    {
        x0 = x1 = x2 = 0;
        if (a == 0)
        {
            if (b == 0)
            {
                if (c == 0) return 0;
                x0 = -d / c;
                return 1;
            }
            return SolveDeg2(b, c, d, out x0, out x1);
        }
        double invA = 1.0 / a;
        double ba = invA * b, ba2 = ba * ba, ca = invA * c, da = invA * d;
        double Q = (3 * ca - ba2) / 9;
        double R = (9 * ba * ca - 27 * da - 2 * ba * ba2) / 54;
        double Q3 = Q * Q * Q, D = Q3 + R * R, ba3 = (1.0 / 3.0) * ba;
        if (Q == 0)
        {
            if (R == 0) { x0 = x1 = x2 = -ba3; return 3; }
            x0 = Math.Pow(2 * R, 1 / 3.0) - ba3;
            return 1;
        }
        if (D <= 0)
        {
            double theta = Math.Acos(R / Math.Sqrt(-Q3)), sq = Math.Sqrt(-Q);
            x0 = 2 * sq * Math.Cos(theta / 3.0) - ba3;
            x1 = 2 * sq * Math.Cos((theta + 2 * Math.PI) / 3.0) - ba3;
            x2 = 2 * sq * Math.Cos((theta + 4 * Math.PI) / 3.0) - ba3;
            return 3;
        }
        double ad = Math.Pow(Math.Abs(R) + Math.Sqrt(D), 1.0 / 3.0) * (R > 0 ? 1 : R < 0 ? -1 : 0);
        double bd = ad == 0 ? 0 : -Q / ad;
        x0 = ad + bd - ba3;
        return 1;
    }

    // Real roots of a x⁴ + … + e through the resolvent cubic's first root (Ferrari), as OpenCV's p3p does.
    private static int SolveDeg4(double a, double b, double c, double d, double e, Span<double> x)
    {
        if (a == 0)
        {
            int m = SolveDeg3(b, c, d, e, out x[0], out x[1], out x[2]);
            x[3] = 0;
            return m;
        }
        double invA = 1.0 / a;
        b *= invA; c *= invA; d *= invA; e *= invA;
        double b2 = b * b, bc = b * c, b3 = b2 * b;
        int n = SolveDeg3(1, -c, d * b - 4 * e, 4 * c * e - d * d - b2 * e, out double r0, out _, out _);
        if (n == 0) return 0;
        double R2 = 0.25 * b2 - c + r0;
        if (R2 < 0) return 0;
        double R = Math.Sqrt(R2), invR = 1.0 / R;
        double D2, E2;
        if (R < 10e-12)
        {
            double temp = r0 * r0 - 4 * e;
            if (temp < 0) D2 = E2 = -1;
            else
            {
                double st = Math.Sqrt(temp);
                D2 = 0.75 * b2 - 2 * c + 2 * st;
                E2 = D2 - 4 * st;
            }
        }
        else
        {
            double u = 0.75 * b2 - 2 * c - R2, v = 0.25 * invR * (4 * bc - 8 * d - b3);
            D2 = u + v;
            E2 = u - v;
        }
        double b4 = 0.25 * b, halfR = 0.5 * R;
        int count = 0;
        if (D2 >= 0)
        {
            double dd = Math.Sqrt(D2);
            x[0] = halfR + 0.5 * dd - b4;
            x[1] = x[0] - dd;
            count = 2;
        }
        if (E2 >= 0)
        {
            double ee = Math.Sqrt(E2);
            int o = count;
            x[o] = -halfR + 0.5 * ee - b4;
            x[o + 1] = x[o] - ee;
            count += 2;
        }
        return count;
    }

    // Rigid transform pc_i = R·pw_i + t from the first 3 points: the quaternion of the largest eigenvalue of
    // Horn's 4×4 matrix.
    private static bool Align(ReadOnlySpan<double> pw, ReadOnlySpan<double> pc, Span<double> r, Span<double> t)
    {
        double w0 = (pw[0] + pw[3] + pw[6]) / 3, w1 = (pw[1] + pw[4] + pw[7]) / 3, w2 = (pw[2] + pw[5] + pw[8]) / 3;
        Span<double> ce = stackalloc double[3];
        for (int i = 0; i < 3; i++) ce[i] = (pc[i] + pc[3 + i] + pc[6 + i]) / 3;
        Span<double> s = stackalloc double[9];
        for (int j = 0; j < 3; j++)
        {
            s[j] = (pw[0] * pc[j] + pw[3] * pc[3 + j] + pw[6] * pc[6 + j]) / 3 - ce[j] * w0;
            s[3 + j] = (pw[1] * pc[j] + pw[4] * pc[3 + j] + pw[7] * pc[6 + j]) / 3 - ce[j] * w1;
            s[6 + j] = (pw[2] * pc[j] + pw[5] * pc[3 + j] + pw[8] * pc[6 + j]) / 3 - ce[j] * w2;
        }
        if (!SmallMatrix.AbsoluteOrientation(s, r)) return false;
        t[0] = ce[0] - (r[0] * w0 + r[1] * w1 + r[2] * w2);
        t[1] = ce[1] - (r[3] * w0 + r[4] * w1 + r[5] * w2);
        t[2] = ce[2] - (r[6] * w0 + r[7] * w1 + r[8] * w2);
        return double.IsFinite(t[0]) && double.IsFinite(t[1]) && double.IsFinite(t[2]);
    }
}
