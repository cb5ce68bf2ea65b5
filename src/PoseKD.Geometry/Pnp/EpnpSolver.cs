using PoseKD.Geometry.LinearAlgebra;

namespace PoseKD.Geometry.Pnp;

/// <summary>
/// EPnP (Lepetit, Moreno-Noguer, Fua, IJCV 2009) with reusable buffers, following OpenCV's
/// <c>epnp.cpp</c>: 4 control points from the centroid and the principal axes, barycentric
/// coordinates α, the 12×12 matrix MᵀM, its 4 smallest eigenvectors, the three β approximations
/// (N = 1, 2, 3) each refined by 5 Gauss-Newton steps, and the solution with the smallest mean
/// reprojection error. Camera rotation from each solution by Horn's absolute orientation.
/// </summary>
internal sealed class EpnpSolver
{
    private double[] _alphas = new double[4 * 16];
    private double[] _pcs = new double[3 * 16];
    private readonly double[] _cws = new double[12];
    private readonly double[] _ccs = new double[12];
    private readonly double[] _mtm = new double[144];
    private readonly double[] _eigVal = new double[12];
    private readonly double[] _eigVec = new double[144];
    private readonly double[] _l6x10 = new double[60];
    private readonly double[] _rho = new double[6];
    private double _fu, _fv, _uc, _vc;

    /// <summary>Failure reason of the last <see cref="Compute"/> that returned false.</summary>
    public string Reason { get; private set; } = "";

    /// <summary>
    /// Solves for R [9] and t [3] from <paramref name="n"/> ≥ 4 world points <paramref name="pw"/> [n, 3]
    /// and pixels <paramref name="uv"/> [n, 2]; returns false (with <see cref="Reason"/>) on degenerate input.
    /// </summary>
    public bool Compute(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, int n, ReadOnlySpan<double> k, Span<double> r, Span<double> t, out double repError)
    {
        repError = double.NaN;
        if (n < 4) { Reason = $"EPnP needs at least 4 points, got {n}"; return false; }
        _fu = k[0]; _fv = k[4]; _uc = k[2]; _vc = k[5];
        if (_alphas.Length < 4 * n) { _alphas = new double[4 * n]; _pcs = new double[3 * n]; }
        if (!ChooseControlPoints(pw, n)) return false;
        if (!ComputeBarycentric(pw, n)) return false;
        FillMtM(uv, n);
        Span<double> a = stackalloc double[144];
        _mtm.CopyTo(a);
        for (int i = 0; i < 144; i++) if (!double.IsFinite(a[i])) { Reason = "image points are not finite"; return false; }
        // Eigenvectors of MᵀM, smallest eigenvalue first (tridiagonal QL: ~10× faster than Jacobi here).
        if (!SmallMatrix.SymmetricEigenQl(a, _eigVal, _eigVec, 12)) { Reason = "eigen decomposition of MᵀM failed"; return false; }
        ComputeL6x10();
        ComputeRho();

        Span<double> betas = stackalloc double[4];
        Span<double> rTmp = stackalloc double[9];
        Span<double> tTmp = stackalloc double[3];
        double best = double.PositiveInfinity;
        for (int approx = 1; approx <= 3; approx++)
        {
            bool ok = approx switch { 1 => BetasApprox1(betas), 2 => BetasApprox2(betas), _ => BetasApprox3(betas) };
            if (!ok) continue;
            GaussNewton(betas);
            double err = ComputeRAndT(pw, uv, n, betas, rTmp, tTmp);
            if (err < best)
            {
                best = err;
                rTmp.CopyTo(r);
                tTmp.CopyTo(t);
            }
        }
        if (!double.IsFinite(best)) { Reason = "EPnP found no finite solution"; return false; }
        repError = best;
        return true;
    }

    private bool ChooseControlPoints(ReadOnlySpan<double> pw, int n)
    {
        double c0 = 0, c1 = 0, c2 = 0;
        for (int i = 0; i < n; i++) { c0 += pw[3 * i]; c1 += pw[3 * i + 1]; c2 += pw[3 * i + 2]; }
        c0 /= n; c1 /= n; c2 /= n;
        _cws[0] = c0; _cws[1] = c1; _cws[2] = c2;
        Span<double> cov = stackalloc double[9];
        cov.Clear();
        for (int i = 0; i < n; i++)
        {
            double x = pw[3 * i] - c0, y = pw[3 * i + 1] - c1, z = pw[3 * i + 2] - c2;
            cov[0] += x * x; cov[1] += x * y; cov[2] += x * z;
            cov[4] += y * y; cov[5] += y * z; cov[8] += z * z;
        }
        cov[3] = cov[1]; cov[6] = cov[2]; cov[7] = cov[5];
        for (int i = 0; i < 9; i++) if (!double.IsFinite(cov[i])) { Reason = "object points are not finite"; return false; }
        Span<double> w = stackalloc double[3];
        // OpenCV's Jacobi SVD: rows of cov become the principal axes, descending spread.
        SmallMatrix.JacobiSvdOpenCv(cov, w, 3);
        if (!(w[0] > 0) || w[1] <= 1e-12 * w[0]) { Reason = "object points are collinear or coincident"; return false; }
        for (int i = 1; i <= 3; i++)
        {
            double kk = Math.Sqrt(w[i - 1] / n);
            for (int j = 0; j < 3; j++) _cws[3 * i + j] = _cws[j] + kk * cov[3 * (i - 1) + j];
        }
        return true;
    }

    private bool ComputeBarycentric(ReadOnlySpan<double> pw, int n)
    {
        // CC columns are the control point offsets (orthogonal); pseudo-inverse per column.
        Span<double> ccInv = stackalloc double[9];
        for (int j = 0; j < 3; j++)
        {
            double dx = _cws[3 * (j + 1)] - _cws[0], dy = _cws[3 * (j + 1) + 1] - _cws[1], dz = _cws[3 * (j + 1) + 2] - _cws[2];
            double n2 = dx * dx + dy * dy + dz * dz;
            double s = n2 > 1e-24 * (1 + _cws[0] * _cws[0] + _cws[1] * _cws[1] + _cws[2] * _cws[2]) ? 1 / n2 : 0;
            ccInv[3 * j] = dx * s; ccInv[3 * j + 1] = dy * s; ccInv[3 * j + 2] = dz * s;
        }
        for (int i = 0; i < n; i++)
        {
            double x = pw[3 * i] - _cws[0], y = pw[3 * i + 1] - _cws[1], z = pw[3 * i + 2] - _cws[2];
            double a1 = ccInv[0] * x + ccInv[1] * y + ccInv[2] * z;
            double a2 = ccInv[3] * x + ccInv[4] * y + ccInv[5] * z;
            double a3 = ccInv[6] * x + ccInv[7] * y + ccInv[8] * z;
            _alphas[4 * i] = 1 - a1 - a2 - a3;
            _alphas[4 * i + 1] = a1; _alphas[4 * i + 2] = a2; _alphas[4 * i + 3] = a3;
        }
        return true;
    }

    private void FillMtM(ReadOnlySpan<double> uv, int n)
    {
        Array.Clear(_mtm);
        Span<double> r1 = stackalloc double[12];
        Span<double> r2 = stackalloc double[12];
        for (int i = 0; i < n; i++)
        {
            double du = _uc - uv[2 * i], dv = _vc - uv[2 * i + 1];
            for (int j = 0; j < 4; j++)
            {
                double a = _alphas[4 * i + j];
                r1[3 * j] = a * _fu; r1[3 * j + 1] = 0; r1[3 * j + 2] = a * du;
                r2[3 * j] = 0; r2[3 * j + 1] = a * _fv; r2[3 * j + 2] = a * dv;
            }
            for (int p = 0; p < 12; p++)
            {
                double x1 = r1[p], x2 = r2[p];
                for (int q = p; q < 12; q++) _mtm[12 * p + q] += x1 * r1[q] + x2 * r2[q];
            }
        }
        for (int p = 0; p < 12; p++)
            for (int q = 0; q < p; q++) _mtm[12 * p + q] = _mtm[12 * q + p];
    }

    // Null-space vector i (i = 0 is the smallest eigenvalue's eigenvector).
    private ReadOnlySpan<double> V(int i) => _eigVec.AsSpan(12 * i, 12);

    private void ComputeL6x10()
    {
        Span<double> dv = stackalloc double[4 * 6 * 3];
        for (int i = 0; i < 4; i++)
        {
            var v = V(i);
            int a = 0, b = 1;
            for (int j = 0; j < 6; j++)
            {
                for (int c = 0; c < 3; c++) dv[18 * i + 3 * j + c] = v[3 * a + c] - v[3 * b + c];
                b++;
                if (b > 3) { a++; b = a + 1; }
            }
        }
        for (int i = 0; i < 6; i++)
        {
            var row = _l6x10.AsSpan(10 * i, 10);
            row[0] = Dot(dv, 0, i, 0, i);
            row[1] = 2 * Dot(dv, 0, i, 1, i);
            row[2] = Dot(dv, 1, i, 1, i);
            row[3] = 2 * Dot(dv, 0, i, 2, i);
            row[4] = 2 * Dot(dv, 1, i, 2, i);
            row[5] = Dot(dv, 2, i, 2, i);
            row[6] = 2 * Dot(dv, 0, i, 3, i);
            row[7] = 2 * Dot(dv, 1, i, 3, i);
            row[8] = 2 * Dot(dv, 2, i, 3, i);
            row[9] = Dot(dv, 3, i, 3, i);
        }
    }

    private static double Dot(ReadOnlySpan<double> dv, int i1, int j1, int i2, int j2)
    {
        int o1 = 18 * i1 + 3 * j1, o2 = 18 * i2 + 3 * j2;
        return dv[o1] * dv[o2] + dv[o1 + 1] * dv[o2 + 1] + dv[o1 + 2] * dv[o2 + 2];
    }

    private void ComputeRho()
    {
        _rho[0] = Dist2(0, 1); _rho[1] = Dist2(0, 2); _rho[2] = Dist2(0, 3);
        _rho[3] = Dist2(1, 2); _rho[4] = Dist2(1, 3); _rho[5] = Dist2(2, 3);
    }

    private double Dist2(int a, int b)
    {
        double dx = _cws[3 * a] - _cws[3 * b], dy = _cws[3 * a + 1] - _cws[3 * b + 1], dz = _cws[3 * a + 2] - _cws[3 * b + 2];
        return dx * dx + dy * dy + dz * dz;
    }

    private bool SolveColumns(ReadOnlySpan<int> cols, Span<double> x)
    {
        int m = cols.Length;
        Span<double> a = stackalloc double[6 * m];
        Span<double> b = stackalloc double[6];
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < m; j++) a[m * i + j] = _l6x10[10 * i + cols[j]];
            b[i] = _rho[i];
        }
        return SmallMatrix.LeastSquares(a, b, x, 6, m);
    }

    // betas10 = [B11 B12 B22 B13 B23 B33 B14 B24 B34 B44]
    private bool BetasApprox1(Span<double> betas)
    {
        Span<double> b4 = stackalloc double[4];
        if (!SolveColumns([0, 1, 3, 6], b4)) return false;
        if (b4[0] < 0)
        {
            betas[0] = Math.Sqrt(-b4[0]);
            betas[1] = -b4[1] / betas[0]; betas[2] = -b4[2] / betas[0]; betas[3] = -b4[3] / betas[0];
        }
        else
        {
            betas[0] = Math.Sqrt(b4[0]);
            if (betas[0] == 0) return false;
            betas[1] = b4[1] / betas[0]; betas[2] = b4[2] / betas[0]; betas[3] = b4[3] / betas[0];
        }
        return true;
    }

    // betas_approx_2 = [B11 B12 B22]
    private bool BetasApprox2(Span<double> betas)
    {
        Span<double> b3 = stackalloc double[3];
        if (!SolveColumns([0, 1, 2], b3)) return false;
        if (b3[0] < 0)
        {
            betas[0] = Math.Sqrt(-b3[0]);
            betas[1] = b3[2] < 0 ? Math.Sqrt(-b3[2]) : 0;
        }
        else
        {
            betas[0] = Math.Sqrt(b3[0]);
            betas[1] = b3[2] > 0 ? Math.Sqrt(b3[2]) : 0;
        }
        if (b3[1] < 0) betas[0] = -betas[0];
        betas[2] = 0; betas[3] = 0;
        return true;
    }

    // betas_approx_3 = [B11 B12 B22 B13 B23]
    private bool BetasApprox3(Span<double> betas)
    {
        Span<double> b5 = stackalloc double[5];
        if (!SolveColumns([0, 1, 2, 3, 4], b5)) return false;
        if (b5[0] < 0)
        {
            betas[0] = Math.Sqrt(-b5[0]);
            betas[1] = b5[2] < 0 ? Math.Sqrt(-b5[2]) : 0;
        }
        else
        {
            betas[0] = Math.Sqrt(b5[0]);
            betas[1] = b5[2] > 0 ? Math.Sqrt(b5[2]) : 0;
        }
        if (b5[1] < 0) betas[0] = -betas[0];
        if (betas[0] == 0) return false;
        betas[2] = b5[3] / betas[0];
        betas[3] = 0;
        return true;
    }

    private void GaussNewton(Span<double> betas)
    {
        Span<double> a = stackalloc double[24];
        Span<double> b = stackalloc double[6];
        Span<double> x = stackalloc double[4];
        for (int it = 0; it < 5; it++)
        {
            for (int i = 0; i < 6; i++)
            {
                var l = _l6x10.AsSpan(10 * i, 10);
                a[4 * i] = 2 * l[0] * betas[0] + l[1] * betas[1] + l[3] * betas[2] + l[6] * betas[3];
                a[4 * i + 1] = l[1] * betas[0] + 2 * l[2] * betas[1] + l[4] * betas[2] + l[7] * betas[3];
                a[4 * i + 2] = l[3] * betas[0] + l[4] * betas[1] + 2 * l[5] * betas[2] + l[8] * betas[3];
                a[4 * i + 3] = l[6] * betas[0] + l[7] * betas[1] + l[8] * betas[2] + 2 * l[9] * betas[3];
                b[i] = _rho[i] - (l[0] * betas[0] * betas[0] + l[1] * betas[0] * betas[1] + l[2] * betas[1] * betas[1]
                    + l[3] * betas[0] * betas[2] + l[4] * betas[1] * betas[2] + l[5] * betas[2] * betas[2]
                    + l[6] * betas[0] * betas[3] + l[7] * betas[1] * betas[3] + l[8] * betas[2] * betas[3] + l[9] * betas[3] * betas[3]);
            }
            if (!SmallMatrix.LeastSquares(a, b, x, 6, 4)) return;
            for (int i = 0; i < 4; i++) betas[i] += x[i];
        }
    }

    private double ComputeRAndT(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, int n, ReadOnlySpan<double> betas, Span<double> r, Span<double> t)
    {
        for (int i = 0; i < 12; i++) _ccs[i] = 0;
        for (int i = 0; i < 4; i++)
        {
            var v = V(i);
            for (int j = 0; j < 12; j++) _ccs[j] += betas[i] * v[j];
        }
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                _pcs[3 * i + c] = _alphas[4 * i] * _ccs[c] + _alphas[4 * i + 1] * _ccs[3 + c] + _alphas[4 * i + 2] * _ccs[6 + c] + _alphas[4 * i + 3] * _ccs[9 + c];
        if (_pcs[2] < 0)
        {
            for (int i = 0; i < 12; i++) _ccs[i] = -_ccs[i];
            for (int i = 0; i < 3 * n; i++) _pcs[i] = -_pcs[i];
        }
        // Absolute orientation pcs ≈ R·pws + t.
        double pc0 = 0, pc1 = 0, pc2 = 0, pw0 = 0, pw1 = 0, pw2 = 0;
        for (int i = 0; i < n; i++)
        {
            pc0 += _pcs[3 * i]; pc1 += _pcs[3 * i + 1]; pc2 += _pcs[3 * i + 2];
            pw0 += pw[3 * i]; pw1 += pw[3 * i + 1]; pw2 += pw[3 * i + 2];
        }
        pc0 /= n; pc1 /= n; pc2 /= n; pw0 /= n; pw1 /= n; pw2 /= n;
        Span<double> s = stackalloc double[9];
        s.Clear();
        for (int i = 0; i < n; i++)
        {
            double bx = pw[3 * i] - pw0, by = pw[3 * i + 1] - pw1, bz = pw[3 * i + 2] - pw2;
            double ax = _pcs[3 * i] - pc0, ay = _pcs[3 * i + 1] - pc1, az = _pcs[3 * i + 2] - pc2;
            s[0] += bx * ax; s[1] += bx * ay; s[2] += bx * az;
            s[3] += by * ax; s[4] += by * ay; s[5] += by * az;
            s[6] += bz * ax; s[7] += bz * ay; s[8] += bz * az;
        }
        if (!SmallMatrix.AbsoluteOrientation(s, r)) return double.PositiveInfinity;
        t[0] = pc0 - (r[0] * pw0 + r[1] * pw1 + r[2] * pw2);
        t[1] = pc1 - (r[3] * pw0 + r[4] * pw1 + r[5] * pw2);
        t[2] = pc2 - (r[6] * pw0 + r[7] * pw1 + r[8] * pw2);
        for (int i = 0; i < 3; i++) if (!double.IsFinite(t[i])) return double.PositiveInfinity;
        return ReprojectionError(pw, uv, n, r, t);
    }

    private double ReprojectionError(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, int n, ReadOnlySpan<double> r, ReadOnlySpan<double> t)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double x = pw[3 * i], y = pw[3 * i + 1], z = pw[3 * i + 2];
            double xc = r[0] * x + r[1] * y + r[2] * z + t[0];
            double yc = r[3] * x + r[4] * y + r[5] * z + t[1];
            double inv = 1.0 / (r[6] * x + r[7] * y + r[8] * z + t[2]);
            double ue = _uc + _fu * xc * inv, ve = _vc + _fv * yc * inv;
            double du = uv[2 * i] - ue, dv = uv[2 * i + 1] - ve;
            sum += Math.Sqrt(du * du + dv * dv);
        }
        double e = sum / n;
        return double.IsNaN(e) ? double.PositiveInfinity : e;
    }
}
