using PoseKD.Geometry.LinearAlgebra;

namespace PoseKD.Geometry.Pnp;

/// <summary>
/// Levenberg–Marquardt refinement of a pose on the reprojection error
/// E(R, t) = Σ_i ‖π(K·(R·X_i + t)) − u_i‖² over the given correspondences, with the update
/// R ← exp([ω]×)·R, t ← t + δt and damping (JᵀJ + λ·diag JᵀJ)·δ = −Jᵀr.
/// </summary>
public static class PoseRefiner
{
    /// <summary>
    /// Refines R [9] and t [3] in place on the correspondences listed in <paramref name="indices"/>
    /// (all when null). Returns the final mean reprojection error (pixels); the pose is left
    /// unchanged when no step lowers the error.
    /// </summary>
    public static double RefineLm(ReadOnlySpan<double> objectPoints, ReadOnlySpan<double> imagePoints, ReadOnlySpan<double> k,
        Span<double> r, Span<double> t, ReadOnlySpan<int> indices = default, int maxIterations = 20)
    {
        int n = PnpInput.Check(objectPoints, imagePoints, k);
        if (r.Length != 9 || t.Length != 3) throw new ArgumentException($"R must be [9] and t [3], got [{r.Length}] and [{t.Length}]");
        int m = indices.IsEmpty ? n : indices.Length;
        Span<double> jtj = stackalloc double[36];
        Span<double> jtr = stackalloc double[6];
        Span<double> a = stackalloc double[36];
        Span<double> delta = stackalloc double[6];
        Span<double> rNew = stackalloc double[9];
        Span<double> tNew = stackalloc double[3];
        Span<double> dR = stackalloc double[9];
        Span<double> rhs = stackalloc double[6];
        double cost = Cost(objectPoints, imagePoints, k, r, t, indices, m);
        if (!double.IsFinite(cost)) return MeanError(objectPoints, imagePoints, k, r, t, indices, m);
        double lambda = -1;
        for (int it = 0; it < maxIterations; it++)
        {
            BuildNormal(objectPoints, imagePoints, k, r, t, indices, m, jtj, jtr);
            if (lambda < 0)
            {
                double md = 0;
                for (int i = 0; i < 6; i++) md += jtj[7 * i];
                lambda = 1e-3;
                if (md == 0) break;
            }
            bool improved = false;
            for (int tries = 0; tries < 6; tries++)
            {
                jtj.CopyTo(a);
                for (int i = 0; i < 6; i++) a[7 * i] += lambda * Math.Max(jtj[7 * i], 1e-12);
                for (int i = 0; i < 6; i++) rhs[i] = -jtr[i];
                if (!SmallMatrix.CholeskySolve(a, rhs, delta, 6)) { lambda *= 10; continue; }
                Rotations.Rodrigues.ToMatrix(delta[..3], dR);
                SmallMatrix.Mul3(dR, r, rNew);
                tNew[0] = t[0] + delta[3]; tNew[1] = t[1] + delta[4]; tNew[2] = t[2] + delta[5];
                double newCost = Cost(objectPoints, imagePoints, k, rNew, tNew, indices, m);
                if (newCost < cost)
                {
                    rNew.CopyTo(r); tNew.CopyTo(t);
                    double rel = (cost - newCost) / Math.Max(cost, 1e-300);
                    cost = newCost;
                    lambda = Math.Max(lambda * 0.1, 1e-12);
                    improved = true;
                    if (rel < 1e-9) it = maxIterations; // converged: the cost no longer moves
                    break;
                }
                lambda *= 10;
            }
            if (!improved) break;
            double stepNorm = 0;
            for (int i = 0; i < 6; i++) stepNorm += delta[i] * delta[i];
            if (stepNorm < 1e-24) break;
        }
        return MeanError(objectPoints, imagePoints, k, r, t, indices, m);
    }

    private static void BuildNormal(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t,
        ReadOnlySpan<int> idx, int m, Span<double> jtj, Span<double> jtr)
    {
        jtj.Clear(); jtr.Clear();
        double fx = k[0], s = k[1], cx = k[2], fy = k[4], cy = k[5];
        Span<double> ju = stackalloc double[6];
        Span<double> jv = stackalloc double[6];
        for (int q = 0; q < m; q++)
        {
            int i = idx.IsEmpty ? q : idx[q];
            double x = pw[3 * i], y = pw[3 * i + 1], z = pw[3 * i + 2];
            double px = r[0] * x + r[1] * y + r[2] * z, py = r[3] * x + r[4] * y + r[5] * z, pz = r[6] * x + r[7] * y + r[8] * z;
            double xc = px + t[0], yc = py + t[1], zc = pz + t[2];
            if (!(zc > 0)) continue;
            double iz = 1 / zc;
            double ru = fx * xc * iz + s * yc * iz + cx - uv[2 * i];
            double rv = fy * yc * iz + cy - uv[2 * i + 1];
            // d(u, v)/d(Xc)
            double gu0 = fx * iz, gu1 = s * iz, gu2 = -(fx * xc + s * yc) * iz * iz;
            double gv0 = 0, gv1 = fy * iz, gv2 = -fy * yc * iz * iz;
            // d/dω = p × g (p = R·X), d/dt = g
            ju[0] = py * gu2 - pz * gu1; ju[1] = pz * gu0 - px * gu2; ju[2] = px * gu1 - py * gu0;
            ju[3] = gu0; ju[4] = gu1; ju[5] = gu2;
            jv[0] = py * gv2 - pz * gv1; jv[1] = pz * gv0 - px * gv2; jv[2] = px * gv1 - py * gv0;
            jv[3] = gv0; jv[4] = gv1; jv[5] = gv2;
            for (int a = 0; a < 6; a++)
            {
                jtr[a] += ju[a] * ru + jv[a] * rv;
                for (int b = a; b < 6; b++) jtj[6 * a + b] += ju[a] * ju[b] + jv[a] * jv[b];
            }
        }
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < a; b++) jtj[6 * a + b] = jtj[6 * b + a];
    }

    private static double Cost(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t, ReadOnlySpan<int> idx, int m)
    {
        double sum = 0;
        for (int q = 0; q < m; q++)
        {
            int i = idx.IsEmpty ? q : idx[q];
            if (!Residual(pw, uv, k, r, t, i, out double du, out double dv)) return double.PositiveInfinity;
            sum += du * du + dv * dv;
        }
        return double.IsFinite(sum) ? sum : double.PositiveInfinity;
    }

    private static double MeanError(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t, ReadOnlySpan<int> idx, int m)
    {
        if (m == 0) return 0;
        double sum = 0;
        for (int q = 0; q < m; q++)
        {
            int i = idx.IsEmpty ? q : idx[q];
            Residual(pw, uv, k, r, t, i, out double du, out double dv);
            sum += Math.Sqrt(du * du + dv * dv);
        }
        return sum / m;
    }

    private static bool Residual(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t, int i, out double du, out double dv)
    {
        double x = pw[3 * i], y = pw[3 * i + 1], z = pw[3 * i + 2];
        double xc = r[0] * x + r[1] * y + r[2] * z + t[0];
        double yc = r[3] * x + r[4] * y + r[5] * z + t[1];
        double zc = r[6] * x + r[7] * y + r[8] * z + t[2];
        double iz = 1 / zc;
        du = k[0] * xc * iz + k[1] * yc * iz + k[2] - uv[2 * i];
        dv = k[4] * yc * iz + k[5] - uv[2 * i + 1];
        return zc > 0;
    }
}
