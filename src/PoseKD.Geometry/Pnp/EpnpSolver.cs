using PoseKD.Geometry.LinearAlgebra;

namespace PoseKD.Geometry.Pnp;

/// <summary>
/// EPnP (Lepetit, Moreno-Noguer, Fua, IJCV 2009) with reusable buffers, following OpenCV 4.x's
/// <c>solvePnP(SOLVEPNP_EPNP)</c> step by step so that minimal (4, 5 points) and planar sets, whose MᵀM
/// has a degenerate null space, give OpenCV's answer: pixels normalised and re-scaled as
/// <c>undistortPoints</c> + <c>epnp::init_points</c> do (optionally stored as float, as in RANSAC's kernel);
/// 4 control points from the centroid and the principal axes; barycentric coordinates α through the
/// SVD pseudo-inverse; MᵀM summed row by row and decomposed by OpenCV's one-sided Jacobi SVD (same
/// rotations, same ±1/m fill of exactly-zero singular vectors); the three β approximations by
/// minimum-norm SVD solves, each refined by 5 Gauss-Newton steps with OpenCV's Householder QR; rotation
/// R = U·Vᵀ from the SVD of Σ (p_c − p̄_c)(p_w − p̄_w)ᵀ with the last row negated when det R &lt; 0;
/// the approximation with the smallest mean reprojection error wins (ties to the first).
/// </summary>
internal sealed class EpnpSolver
{
    private double[] _alphas = new double[4 * 16];
    private double[] _pcs = new double[3 * 16];
    private readonly double[] _cws = new double[12];
    private readonly double[] _ccs = new double[12];
    private readonly double[] _mtm = new double[144];
    private readonly double[] _eigVal = new double[12];
    private readonly double[] _ut = new double[144];
    private double[] _us = new double[2 * 16];
    private readonly double[] _l6x10 = new double[60];
    private readonly double[] _rho = new double[6];
    private double _fu, _fv, _uc, _vc;

    /// <summary>Failure reason of the last Compute that returned false.</summary>
    public string Reason { get; private set; } = "";

    /// <summary>
    /// Solves for R [9] and t [3] from <paramref name="n"/> ≥ 4 world points <paramref name="pw"/> [n, 3]
    /// and pixels <paramref name="uv"/> [n, 2]; returns false (with <see cref="Reason"/>) on degenerate input.
    /// </summary>
    public bool Compute(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, int n, ReadOnlySpan<double> k, Span<double> r, Span<double> t, out double repError)
        => Compute(pw, uv, n, k, r, t, out repError, normalizedAsFloat: false);

    /// <summary>
    /// As <see cref="Compute(ReadOnlySpan{double}, ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double}, Span{double}, out double)"/>;
    /// with <paramref name="normalizedAsFloat"/> the normalised image coordinates are rounded to float, as in
    /// OpenCV's RANSAC kernel (which hands float points to <c>undistortPoints</c>).
    /// </summary>
    public bool Compute(ReadOnlySpan<double> pw, ReadOnlySpan<double> uv, int n, ReadOnlySpan<double> k, Span<double> r, Span<double> t, out double repError, bool normalizedAsFloat)
    {
        repError = double.NaN;
        if (n < 4) { Reason = $"EPnP needs at least 4 points, got {n}"; return false; }
        _fu = k[0]; _fv = k[4]; _uc = k[2]; _vc = k[5];
        if (_alphas.Length < 4 * n) { _alphas = new double[4 * n]; _pcs = new double[3 * n]; _us = new double[2 * n]; }
        double ifx = 1.0 / _fu, ify = 1.0 / _fv;
        for (int i = 0; i < n; i++)
        {
            double x = (uv[2 * i] - _uc) * ifx, y = (uv[2 * i + 1] - _vc) * ify;
            if (normalizedAsFloat) { x = (float)x; y = (float)y; }
            _us[2 * i] = x * _fu + _uc;
            _us[2 * i + 1] = y * _fv + _vc;
        }
        if (!ChooseControlPoints(pw, n)) return false;
        if (!ComputeBarycentric(pw, n)) return false;
        FillMtM(n);
        for (int i = 0; i < 144; i++) if (!double.IsFinite(_mtm[i])) { Reason = "image points are not finite"; return false; }
        // OpenCV: cvSVD(MᵀM, D, Uᵀ) — rows of Uᵀ; the null-space basis is the last 4 rows.
        _mtm.CopyTo(_ut, 0);
        Span<double> vt = stackalloc double[144];
        SmallMatrix.JacobiSvdOpenCvFull(_ut, _eigVal, vt, 12, 12);
        ComputeL6x10();
        ComputeRho();

        Span<double> betas = stackalloc double[4];
        Span<double> rTmp = stackalloc double[9];
        Span<double> tTmp = stackalloc double[3];
        double best = double.NaN;
        for (int approx = 1; approx <= 3; approx++)
        {
            switch (approx) { case 1: BetasApprox1(betas); break; case 2: BetasApprox2(betas); break; default: BetasApprox3(betas); break; }
            GaussNewton(betas);
            double err = ComputeRAndT(pw, n, betas, rTmp, tTmp);
            // OpenCV: N = 1; if (e2 < e1) N = 2; if (e3 < e_N) N = 3 — here a NaN first error yields to a finite one.
            if (approx == 1 || err < best || (double.IsNaN(best) && double.IsFinite(err)))
            {
                best = err;
                rTmp.CopyTo(r);
                tTmp.CopyTo(t);
            }
        }
        if (!double.IsFinite(best)) { Reason = "EPnP found no finite solution"; return false; }
        for (int i = 0; i < 9; i++) if (!double.IsFinite(r[i])) { Reason = "EPnP found no finite solution"; return false; }
        for (int i = 0; i < 3; i++) if (!double.IsFinite(t[i])) { Reason = "EPnP found no finite solution"; return false; }
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
        Span<double> vt = stackalloc double[9];
        // OpenCV's Jacobi SVD: rows of cov become the principal axes, descending spread.
        SmallMatrix.JacobiSvdOpenCvFull(cov, w, vt, 3, 3);
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
        // CC[i][j−1] = cws[j][i] − cws[0][i]; OpenCV inverts it with cvInvert(CV_SVD) (pseudo-inverse).
        Span<double> cc = stackalloc double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 1; j < 4; j++) cc[3 * i + j - 1] = _cws[3 * j + i] - _cws[i];
        Span<double> ci = stackalloc double[9];
        SmallMatrix.PseudoInverseSvd(cc, ci, 3);
        foreach (double v in ci) if (!double.IsFinite(v)) { Reason = "object points are degenerate"; return false; }
        for (int i = 0; i < n; i++)
        {
            double x = pw[3 * i] - _cws[0], y = pw[3 * i + 1] - _cws[1], z = pw[3 * i + 2] - _cws[2];
            double a1 = ci[0] * x + ci[1] * y + ci[2] * z;
            double a2 = ci[3] * x + ci[4] * y + ci[5] * z;
            double a3 = ci[6] * x + ci[7] * y + ci[8] * z;
            _alphas[4 * i] = 1 - a1 - a2 - a3;
            _alphas[4 * i + 1] = a1; _alphas[4 * i + 2] = a2; _alphas[4 * i + 3] = a3;
        }
        return true;
    }

    private void FillMtM(int n)
    {
        // cvMulTransposed: MᵀM[p][q] = Σ_rows M[row][p]·M[row][q], rows in order (2 per point).
        Array.Clear(_mtm);
        Span<double> r1 = stackalloc double[12];
        Span<double> r2 = stackalloc double[12];
        for (int i = 0; i < n; i++)
        {
            double du = _uc - _us[2 * i], dv = _vc - _us[2 * i + 1];
            for (int j = 0; j < 4; j++)
            {
                double a = _alphas[4 * i + j];
                r1[3 * j] = a * _fu; r1[3 * j + 1] = 0; r1[3 * j + 2] = a * du;
                r2[3 * j] = 0; r2[3 * j + 1] = a * _fv; r2[3 * j + 2] = a * dv;
            }
            for (int p = 0; p < 12; p++)
            {
                double x1 = r1[p];
                for (int q = p; q < 12; q++) _mtm[12 * p + q] += x1 * r1[q];
            }
            for (int p = 0; p < 12; p++)
            {
                double x2 = r2[p];
                for (int q = p; q < 12; q++) _mtm[12 * p + q] += x2 * r2[q];
            }
        }
        for (int p = 0; p < 12; p++)
            for (int q = 0; q < p; q++) _mtm[12 * p + q] = _mtm[12 * q + p];
    }

    // Null-space vector i (i = 0 is the smallest eigenvalue's eigenvector).
    private ReadOnlySpan<double> V(int i) => _ut.AsSpan(12 * (11 - i), 12);

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
        return SmallMatrix.SolveSvd(a, b, x, 6, m);
    }

    // betas10 = [B11 B12 B22 B13 B23 B33 B14 B24 B34 B44]; betas_approx_1 = [B11 B12 B13 B14]
    private void BetasApprox1(Span<double> betas)
    {
        Span<double> b4 = stackalloc double[4];
        SolveColumns([0, 1, 3, 6], b4);
        if (b4[0] < 0)
        {
            betas[0] = Math.Sqrt(-b4[0]);
            betas[1] = -b4[1] / betas[0]; betas[2] = -b4[2] / betas[0]; betas[3] = -b4[3] / betas[0];
        }
        else
        {
            betas[0] = Math.Sqrt(b4[0]);
            betas[1] = b4[1] / betas[0]; betas[2] = b4[2] / betas[0]; betas[3] = b4[3] / betas[0];
        }
    }

    // betas_approx_2 = [B11 B12 B22]
    private void BetasApprox2(Span<double> betas)
    {
        Span<double> b3 = stackalloc double[3];
        SolveColumns([0, 1, 2], b3);
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
    }

    // betas_approx_3 = [B11 B12 B22 B13 B23]
    private void BetasApprox3(Span<double> betas)
    {
        Span<double> b5 = stackalloc double[5];
        SolveColumns([0, 1, 2, 3, 4], b5);
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
        betas[2] = b5[3] / betas[0];
        betas[3] = 0;
    }

    private void GaussNewton(Span<double> betas)
    {
        Span<double> a = stackalloc double[24];
        Span<double> b = stackalloc double[6];
        Span<double> x = stackalloc double[4];
        x.Clear();
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
            QrSolve(a, b, x, 6, 4);
            for (int i = 0; i < 4; i++) betas[i] += x[i];
        }
    }

    /// <summary>OpenCV's <c>epnp::qr_solve</c> (Householder QR, column scaling by the max |entry|); on a zero column it returns leaving x unchanged, as OpenCV does.</summary>
    private static void QrSolve(Span<double> a, Span<double> b, Span<double> x, int nr, int nc)
    {
        Span<double> a1 = stackalloc double[nc];
        Span<double> a2 = stackalloc double[nc];
        for (int k = 0; k < nc; k++)
        {
            int kk = k * nc + k;
            double eta = Math.Abs(a[kk]);
            for (int i = k + 1; i < nr; i++)
            {
                double elt = Math.Abs(a[i * nc + k]);
                if (eta < elt) eta = elt;
            }
            if (eta == 0) return;
            double sum2 = 0, invEta = 1.0 / eta;
            for (int i = k; i < nr; i++)
            {
                a[i * nc + k] *= invEta;
                sum2 += a[i * nc + k] * a[i * nc + k];
            }
            double sigma = Math.Sqrt(sum2);
            if (a[kk] < 0) sigma = -sigma;
            a[kk] += sigma;
            a1[k] = sigma * a[kk];
            a2[k] = -eta * sigma;
            for (int j = k + 1; j < nc; j++)
            {
                double sum = 0;
                for (int i = k; i < nr; i++) sum += a[i * nc + k] * a[i * nc + j];
                double tau = sum / a1[k];
                for (int i = k; i < nr; i++) a[i * nc + j] -= tau * a[i * nc + k];
            }
        }
        for (int j = 0; j < nc; j++)
        {
            double tau = 0;
            for (int i = j; i < nr; i++) tau += a[i * nc + j] * b[i];
            tau /= a1[j];
            for (int i = j; i < nr; i++) b[i] -= tau * a[i * nc + j];
        }
        x[nc - 1] = b[nc - 1] / a2[nc - 1];
        for (int i = nc - 2; i >= 0; i--)
        {
            double sum = 0;
            for (int j = i + 1; j < nc; j++) sum += a[i * nc + j] * x[j];
            x[i] = (b[i] - sum) / a2[i];
        }
    }

    private double ComputeRAndT(ReadOnlySpan<double> pw, int n, ReadOnlySpan<double> betas, Span<double> r, Span<double> t)
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
        double pc0 = 0, pc1 = 0, pc2 = 0, pw0 = 0, pw1 = 0, pw2 = 0;
        for (int i = 0; i < n; i++)
        {
            pc0 += _pcs[3 * i]; pc1 += _pcs[3 * i + 1]; pc2 += _pcs[3 * i + 2];
            pw0 += pw[3 * i]; pw1 += pw[3 * i + 1]; pw2 += pw[3 * i + 2];
        }
        pc0 /= n; pc1 /= n; pc2 /= n; pw0 /= n; pw1 /= n; pw2 /= n;
        // ABt[j][c] = Σ (pc_j − pc0_j)(pw_c − pw0_c); OpenCV's cvSVD works on its transpose.
        Span<double> at = stackalloc double[9];
        at.Clear();
        Span<double> pc0v = [pc0, pc1, pc2];
        for (int i = 0; i < n; i++)
        {
            double bx = pw[3 * i] - pw0, by = pw[3 * i + 1] - pw1, bz = pw[3 * i + 2] - pw2;
            for (int j = 0; j < 3; j++)
            {
                double d = _pcs[3 * i + j] - pc0v[j];
                at[j] += d * bx; at[3 + j] += d * by; at[6 + j] += d * bz;
            }
        }
        for (int i = 0; i < 9; i++) if (!double.IsFinite(at[i])) return double.PositiveInfinity;
        Span<double> w = stackalloc double[3];
        Span<double> vt = stackalloc double[9];
        SmallMatrix.JacobiSvdOpenCvFull(at, w, vt, 3, 3);
        // R[i][j] = Σ_k U[i][k]·V[j][k] with U[i][k] = at[k][i], V[j][k] = vt[k][j].
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r[3 * i + j] = at[i] * vt[j] + at[3 + i] * vt[3 + j] + at[6 + i] * vt[6 + j];
        double det = r[0] * r[4] * r[8] + r[1] * r[5] * r[6] + r[2] * r[3] * r[7] - r[2] * r[4] * r[6] - r[1] * r[3] * r[8] - r[0] * r[5] * r[7];
        if (det < 0) { r[6] = -r[6]; r[7] = -r[7]; r[8] = -r[8]; }
        t[0] = pc0 - (r[0] * pw0 + r[1] * pw1 + r[2] * pw2);
        t[1] = pc1 - (r[3] * pw0 + r[4] * pw1 + r[5] * pw2);
        t[2] = pc2 - (r[6] * pw0 + r[7] * pw1 + r[8] * pw2);
        for (int i = 0; i < 3; i++) if (!double.IsFinite(t[i])) return double.PositiveInfinity;
        return ReprojectionError(pw, n, r, t);
    }

    private double ReprojectionError(ReadOnlySpan<double> pw, int n, ReadOnlySpan<double> r, ReadOnlySpan<double> t)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double x = pw[3 * i], y = pw[3 * i + 1], z = pw[3 * i + 2];
            double xc = r[0] * x + r[1] * y + r[2] * z + t[0];
            double yc = r[3] * x + r[4] * y + r[5] * z + t[1];
            double inv = 1.0 / (r[6] * x + r[7] * y + r[8] * z + t[2]);
            double ue = _uc + _fu * xc * inv, ve = _vc + _fv * yc * inv;
            double du = _us[2 * i] - ue, dv = _us[2 * i + 1] - ve;
            sum += Math.Sqrt(du * du + dv * dv);
        }
        double e = sum / n;
        return double.IsNaN(e) ? double.PositiveInfinity : e;
    }
}
