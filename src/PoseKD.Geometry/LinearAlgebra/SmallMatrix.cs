namespace PoseKD.Geometry.LinearAlgebra;

/// <summary>
/// Dense linear algebra on small row-major double matrices (n ≤ ~16): symmetric eigen decomposition
/// (cyclic Jacobi), Householder least squares, Cholesky, 3×3 helpers. Plain loops; these sizes are
/// too small for BLAS to pay off.
/// </summary>
internal static class SmallMatrix
{
    /// <summary>
    /// Eigen decomposition of the symmetric matrix <paramref name="a"/> [n, n] (destroyed) by cyclic
    /// Jacobi rotations: eigenvalues ascending into <paramref name="w"/> [n], eigenvector k into row k of
    /// <paramref name="v"/> [n, n]. Returns false if it did not converge or the input is not finite.
    /// </summary>
    public static bool SymmetricEigen(Span<double> a, Span<double> w, Span<double> v, int n)
    {
        for (int i = 0; i < n * n; i++) if (!double.IsFinite(a[i])) return false;
        // v holds eigenvectors as columns during the sweeps, transposed at the end.
        v[..(n * n)].Clear();
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        bool converged = false;
        for (int sweep = 0; sweep < 60; sweep++)
        {
            double off = 0, diag = 0;
            for (int p = 0; p < n; p++)
            {
                diag += a[p * n + p] * a[p * n + p];
                for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
            }
            if (off <= 1e-30 * diag || off == 0) { converged = true; break; }
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double app = a[p * n + p], aqq = a[q * n + q];
                    if (Math.Abs(apq) < 1e-300) { a[p * n + q] = a[q * n + p] = 0; continue; }
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        if (!converged) return false;
        // Sort ascending, transpose so that row k is eigenvector k.
        Span<int> order = stackalloc int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = 1; i < n; i++)
        {
            int key = order[i]; double kv = a[key * n + key]; int j = i - 1;
            while (j >= 0 && a[order[j] * n + order[j]] > kv) { order[j + 1] = order[j]; j--; }
            order[j + 1] = key;
        }
        Span<double> tmp = stackalloc double[n * n];
        v[..(n * n)].CopyTo(tmp);
        for (int r = 0; r < n; r++)
        {
            int col = order[r];
            w[r] = a[col * n + col];
            for (int k = 0; k < n; k++) v[r * n + k] = tmp[k * n + col];
        }
        return true;
    }

    /// <summary>
    /// Eigen decomposition of the symmetric matrix <paramref name="a"/> [n, n] (destroyed) by Householder
    /// tridiagonalisation and the implicit QL algorithm (EISPACK tred2/tql2): eigenvalues ascending into
    /// <paramref name="w"/> [n], eigenvector k into row k of <paramref name="v"/> [n, n]. About n³ work
    /// instead of Jacobi's many sweeps; returns false on non-finite input or no convergence.
    /// </summary>
    public static bool SymmetricEigenQl(Span<double> a, Span<double> w, Span<double> v, int n)
    {
        for (int i = 0; i < n * n; i++) if (!double.IsFinite(a[i])) return false;
        // a holds V (eigenvectors as columns) during the computation.
        Span<double> d = w;
        Span<double> e = stackalloc double[n];
        for (int j = 0; j < n; j++) d[j] = a[(n - 1) * n + j];
        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) { d[j] = a[(i - 1) * n + j]; a[i * n + j] = 0; a[j * n + i] = 0; }
            }
            else
            {
                for (int k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
                double f = d[i - 1], g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) e[j] = 0;
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    a[j * n + i] = f;
                    g = e[j] + a[j * n + j] * f;
                    for (int k = j + 1; k <= i - 1; k++) { g += a[k * n + j] * d[k]; e[k] += a[k * n + j] * f; }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j]; g = e[j];
                    for (int k = j; k <= i - 1; k++) a[k * n + j] -= f * e[k] + g * d[k];
                    d[j] = a[(i - 1) * n + j];
                    a[i * n + j] = 0;
                }
            }
            d[i] = h;
        }
        for (int i = 0; i < n - 1; i++)
        {
            a[(n - 1) * n + i] = a[i * n + i];
            a[i * n + i] = 1;
            double h = d[i + 1];
            if (h != 0)
            {
                for (int k = 0; k <= i; k++) d[k] = a[k * n + i + 1] / h;
                for (int j = 0; j <= i; j++)
                {
                    double g = 0;
                    for (int k = 0; k <= i; k++) g += a[k * n + i + 1] * a[k * n + j];
                    for (int k = 0; k <= i; k++) a[k * n + j] -= g * d[k];
                }
            }
            for (int k = 0; k <= i; k++) a[k * n + i + 1] = 0;
        }
        for (int j = 0; j < n; j++) { d[j] = a[(n - 1) * n + j]; a[(n - 1) * n + j] = 0; }
        a[(n - 1) * n + n - 1] = 1;
        e[0] = 0;

        // Implicit QL on the tridiagonal (d, e).
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double ff = 0, tst1 = 0;
        const double eps = 2.220446049250313e-16;
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1) m++;
            if (m == n) m = n - 1;
            if (m > l)
            {
                int iter = 0;
                do
                {
                    if (++iter > 60) return false;
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    ff += h;
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, el1 = e[l + 1], s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2; c2 = c; s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++)
                        {
                            h = a[k * n + i + 1];
                            a[k * n + i + 1] = s * a[k * n + i] + c * h;
                            a[k * n + i] = c * a[k * n + i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += ff;
            e[l] = 0;
        }
        // Sort ascending; row k of v = column of a.
        Span<int> order = stackalloc int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = 1; i < n; i++)
        {
            int key = order[i]; double kv = d[key]; int j = i - 1;
            while (j >= 0 && d[order[j]] > kv) { order[j + 1] = order[j]; j--; }
            order[j + 1] = key;
        }
        Span<double> vals = stackalloc double[n];
        d.CopyTo(vals);
        for (int r = 0; r < n; r++)
        {
            int col = order[r];
            w[r] = vals[col];
            for (int k = 0; k < n; k++) v[r * n + k] = a[k * n + col];
        }
        for (int i = 0; i < n; i++) if (!double.IsFinite(w[i])) return false;
        return true;
    }

    /// <summary>
    /// OpenCV's one-sided Jacobi SVD (<c>JacobiSVDImpl_</c>, double, eps = 10·DBL_EPSILON) in full: the
    /// <paramref name="n"/> rows of <paramref name="at"/> (each of length <paramref name="m"/>) are rotated until
    /// orthogonal, their norms become <paramref name="w"/> (sorted descending, rows and <paramref name="vt"/> rows
    /// swapped alike), <paramref name="vt"/> [n, n] accumulates the rotations, and each row is normalised — a row
    /// whose norm is ≤ DBL_MIN is replaced, as OpenCV does, by a ±1/m vector drawn from <c>cv::RNG(0x12345678)</c>
    /// and orthogonalised against the previous rows. With A = atᵀ [m, n]: A·vtᵀ = [w_i · row_i]. Reproducing the
    /// procedure exactly matters where the answer is not unique (degenerate null spaces of EPnP's MᵀM).
    /// </summary>
    public static void JacobiSvdOpenCvFull(Span<double> at, Span<double> w, Span<double> vt, int n, int m)
    {
        const double eps = 2.220446049250313e-16 * 10, minval = 2.2250738585072014e-308;
        int maxIter = Math.Max(m, 30);
        for (int i = 0; i < n; i++)
        {
            double sd = 0;
            for (int k = 0; k < m; k++) { double t = at[i * m + k]; sd += t * t; }
            w[i] = sd;
            for (int k = 0; k < n; k++) vt[i * n + k] = 0;
            vt[i * n + i] = 1;
        }
        for (int iter = 0; iter < maxIter; iter++)
        {
            bool changed = false;
            for (int i = 0; i < n - 1; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double a = w[i], b = w[j], p = 0;
                    for (int k = 0; k < m; k++) p += at[i * m + k] * at[j * m + k];
                    if (Math.Abs(p) <= eps * Math.Sqrt(a * b)) continue;
                    p *= 2;
                    double beta = a - b, gamma = Hypot(p, beta), c, s;
                    if (beta < 0)
                    {
                        double delta = (gamma - beta) * 0.5;
                        s = Math.Sqrt(delta / gamma);
                        c = p / (gamma * s * 2);
                    }
                    else
                    {
                        c = Math.Sqrt((gamma + beta) / (gamma * 2));
                        s = p / (gamma * c * 2);
                    }
                    a = 0; b = 0;
                    for (int k = 0; k < m; k++)
                    {
                        double t0 = c * at[i * m + k] + s * at[j * m + k];
                        double t1 = -s * at[i * m + k] + c * at[j * m + k];
                        at[i * m + k] = t0; at[j * m + k] = t1;
                        a += t0 * t0; b += t1 * t1;
                    }
                    w[i] = a; w[j] = b;
                    changed = true;
                    for (int k = 0; k < n; k++)
                    {
                        double t0 = c * vt[i * n + k] + s * vt[j * n + k];
                        double t1 = -s * vt[i * n + k] + c * vt[j * n + k];
                        vt[i * n + k] = t0; vt[j * n + k] = t1;
                    }
                }
            if (!changed) break;
        }
        for (int i = 0; i < n; i++)
        {
            double sd = 0;
            for (int k = 0; k < m; k++) { double t = at[i * m + k]; sd += t * t; }
            w[i] = Math.Sqrt(sd);
        }
        for (int i = 0; i < n - 1; i++)
        {
            int j = i;
            for (int k = i + 1; k < n; k++) if (w[j] < w[k]) j = k;
            if (i != j)
            {
                (w[i], w[j]) = (w[j], w[i]);
                for (int k = 0; k < m; k++) (at[i * m + k], at[j * m + k]) = (at[j * m + k], at[i * m + k]);
                for (int k = 0; k < n; k++) (vt[i * n + k], vt[j * n + k]) = (vt[j * n + k], vt[i * n + k]);
            }
        }
        var rng = new Pnp.OpenCvRng(0x12345678);
        for (int i = 0; i < n; i++)
        {
            double sd = w[i];
            for (int ii = 0; ii < 100 && sd <= minval; ii++)
            {
                double val0 = 1.0 / m;
                for (int k = 0; k < m; k++) at[i * m + k] = (rng.Next() & 256) != 0 ? val0 : -val0;
                for (int it = 0; it < 2; it++)
                    for (int j = 0; j < i; j++)
                    {
                        sd = 0;
                        for (int k = 0; k < m; k++) sd += at[i * m + k] * at[j * m + k];
                        double asum = 0;
                        for (int k = 0; k < m; k++)
                        {
                            double t = at[i * m + k] - sd * at[j * m + k];
                            at[i * m + k] = t;
                            asum += Math.Abs(t);
                        }
                        asum = asum > eps * 100 ? 1 / asum : 0;
                        for (int k = 0; k < m; k++) at[i * m + k] *= asum;
                    }
                sd = 0;
                for (int k = 0; k < m; k++) { double t = at[i * m + k]; sd += t * t; }
                sd = Math.Sqrt(sd);
            }
            double sc = sd > minval ? 1 / sd : 0;
            for (int k = 0; k < m; k++) at[i * m + k] *= sc;
        }
    }

    /// <summary>
    /// Pseudo-inverse [n, n] of a square A [n, n] as OpenCV's <c>invert(..., DECOMP_SVD)</c> computes it:
    /// inv[r][c] = Σ_i vt[i][r]·(u_i[c]·(1/w_i)) over w_i &gt; 2·DBL_EPSILON·Σw, i ascending.
    /// </summary>
    public static void PseudoInverseSvd(ReadOnlySpan<double> a, Span<double> inv, int n)
    {
        Span<double> at = stackalloc double[n * n];
        Span<double> w = stackalloc double[n];
        Span<double> vt = stackalloc double[n * n];
        Span<double> buf = stackalloc double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) at[j * n + i] = a[i * n + j];
        JacobiSvdOpenCvFull(at, w, vt, n, n);
        double threshold = 0;
        for (int i = 0; i < n; i++) threshold += w[i];
        threshold *= 2 * 2.220446049250313e-16;
        inv[..(n * n)].Clear();
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(w[i]) <= threshold) continue;
            double wi = 1 / w[i];
            for (int c = 0; c < n; c++) buf[c] = at[i * n + c] * wi;
            for (int r = 0; r < n; r++)
            {
                double s = vt[i * n + r];
                for (int c = 0; c < n; c++) inv[r * n + c] = inv[r * n + c] + s * buf[c];
            }
        }
    }

    /// <summary>
    /// Minimum-norm least-squares solution x [n] of A x ≈ b, A [m, n] row-major, as OpenCV's
    /// <c>solve(..., DECOMP_SVD)</c>: singular values ≤ 2·DBL_EPSILON·Σw are dropped. A and b are read only.
    /// Returns false when the result is not finite.
    /// </summary>
    public static bool SolveSvd(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> x, int m, int n)
    {
        Span<double> at = stackalloc double[n * m];
        Span<double> w = stackalloc double[n];
        Span<double> vt = stackalloc double[n * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
        JacobiSvdOpenCvFull(at, w, vt, n, m);
        double threshold = 0;
        for (int i = 0; i < n; i++) threshold += w[i];
        threshold *= 2 * 2.220446049250313e-16;
        x[..n].Clear();
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(w[i]) <= threshold) continue;
            double wi = 1 / w[i];
            double ub = 0;
            for (int k = 0; k < m; k++) ub += at[i * m + k] * b[k];
            ub *= wi;
            for (int j = 0; j < n; j++) x[j] += ub * vt[i * n + j];
        }
        foreach (double v in x[..n]) if (!double.IsFinite(v)) return false;
        return true;
    }

    private static double Hypot(double a, double b)
    {
        a = Math.Abs(a); b = Math.Abs(b);
        if (a > b) { b /= a; return a * Math.Sqrt(1 + b * b); }
        if (b > 0) { a /= b; return b * Math.Sqrt(1 + a * a); }
        return 0;
    }

    /// <summary>
    /// Least-squares solution x [n] of A x ≈ b with A [m, n] (m ≥ n), by Householder QR. A and b are
    /// destroyed. Returns false when A is rank deficient (|R_ii| ≤ 1e-12·max|R_jj|) or not finite.
    /// </summary>
    public static bool LeastSquares(Span<double> a, Span<double> b, Span<double> x, int m, int n)
    {
        Span<double> diag = stackalloc double[n];
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++) norm += a[i * n + k] * a[i * n + k];
            norm = Math.Sqrt(norm);
            if (!double.IsFinite(norm)) return false;
            if (norm == 0) { diag[k] = 0; continue; }
            double alpha = a[k * n + k] > 0 ? -norm : norm;
            // v = a[k:,k] - alpha e1, stored in place.
            a[k * n + k] -= alpha;
            double vnorm2 = 0;
            for (int i = k; i < m; i++) vnorm2 += a[i * n + k] * a[i * n + k];
            diag[k] = alpha;
            if (vnorm2 == 0) continue;
            for (int j = k + 1; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += a[i * n + k] * a[i * n + j];
                double f = 2 * dot / vnorm2;
                for (int i = k; i < m; i++) a[i * n + j] -= f * a[i * n + k];
            }
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += a[i * n + k] * b[i];
                double f = 2 * dot / vnorm2;
                for (int i = k; i < m; i++) b[i] -= f * a[i * n + k];
            }
        }
        double maxDiag = 0;
        for (int k = 0; k < n; k++) maxDiag = Math.Max(maxDiag, Math.Abs(diag[k]));
        if (maxDiag == 0) return false;
        for (int k = 0; k < n; k++) if (Math.Abs(diag[k]) <= 1e-12 * maxDiag) return false;
        for (int k = n - 1; k >= 0; k--)
        {
            double s = b[k];
            for (int j = k + 1; j < n; j++) s -= a[k * n + j] * x[j];
            x[k] = s / diag[k];
        }
        for (int k = 0; k < n; k++) if (!double.IsFinite(x[k])) return false;
        return true;
    }

    /// <summary>Solves the symmetric positive definite system A x = b (A [n, n] destroyed) by Cholesky; false if not positive definite.</summary>
    public static bool CholeskySolve(Span<double> a, ReadOnlySpan<double> b, Span<double> x, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double s = a[j * n + j];
            for (int k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
            if (!(s > 0)) return false;
            double l = Math.Sqrt(s);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i * n + j];
                for (int k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = t / l;
            }
        }
        for (int i = 0; i < n; i++)
        {
            double t = b[i];
            for (int k = 0; k < i; k++) t -= a[i * n + k] * x[k];
            x[i] = t / a[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double t = x[i];
            for (int k = i + 1; k < n; k++) t -= a[k * n + i] * x[k];
            x[i] = t / a[i * n + i];
        }
        return true;
    }

    /// <summary>
    /// Rotation R [3, 3] minimising Σ‖a_i − R b_i‖² given the cross-covariance S_jk = Σ b_ij a_ik of
    /// centred point sets (Horn's closed form: R from the eigenvector of the 4×4 matrix N(S) with the
    /// largest eigenvalue). Always a proper rotation. Returns false on non-finite input.
    /// </summary>
    public static bool AbsoluteOrientation(ReadOnlySpan<double> s, Span<double> r)
    {
        double sxx = s[0], sxy = s[1], sxz = s[2], syx = s[3], syy = s[4], syz = s[5], szx = s[6], szy = s[7], szz = s[8];
        Span<double> nmat = stackalloc double[16];
        nmat[0] = sxx + syy + szz; nmat[1] = syz - szy; nmat[2] = szx - sxz; nmat[3] = sxy - syx;
        nmat[5] = sxx - syy - szz; nmat[6] = sxy + syx; nmat[7] = szx + sxz;
        nmat[10] = -sxx + syy - szz; nmat[11] = syz + szy;
        nmat[15] = -sxx - syy + szz;
        nmat[4] = nmat[1]; nmat[8] = nmat[2]; nmat[12] = nmat[3]; nmat[9] = nmat[6]; nmat[13] = nmat[7]; nmat[14] = nmat[11];
        Span<double> w = stackalloc double[4];
        Span<double> v = stackalloc double[16];
        if (!SymmetricEigenQl(nmat, w, v, 4)) return false;
        double qw = v[12], qx = v[13], qy = v[14], qz = v[15];
        double norm = Math.Sqrt(qw * qw + qx * qx + qy * qy + qz * qz);
        if (!(norm > 0)) return false;
        qw /= norm; qx /= norm; qy /= norm; qz /= norm;
        QuaternionToMatrix(qw, qx, qy, qz, r);
        return true;
    }

    /// <summary>Rotation matrix [3, 3] of the unit quaternion (w, x, y, z).</summary>
    public static void QuaternionToMatrix(double w, double x, double y, double z, Span<double> r)
    {
        r[0] = w * w + x * x - y * y - z * z; r[1] = 2 * (x * y - w * z); r[2] = 2 * (x * z + w * y);
        r[3] = 2 * (x * y + w * z); r[4] = w * w - x * x + y * y - z * z; r[5] = 2 * (y * z - w * x);
        r[6] = 2 * (x * z - w * y); r[7] = 2 * (y * z + w * x); r[8] = w * w - x * x - y * y + z * z;
    }

    /// <summary>C [3, 3] = A [3, 3] · B [3, 3].</summary>
    public static void Mul3(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c)
    {
        Span<double> t = stackalloc double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                t[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        t.CopyTo(c);
    }

    /// <summary>Determinant of A [3, 3].</summary>
    public static double Det3(ReadOnlySpan<double> a) =>
        a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);

    /// <summary>Inverse of A [3, 3] into <paramref name="inv"/>; false when |det| ≤ 1e-300 or not finite.</summary>
    public static bool Inverse3(ReadOnlySpan<double> a, Span<double> inv)
    {
        double det = Det3(a);
        if (!double.IsFinite(det) || Math.Abs(det) <= 1e-300) return false;
        double id = 1 / det;
        Span<double> t = stackalloc double[9];
        t[0] = (a[4] * a[8] - a[5] * a[7]) * id; t[1] = (a[2] * a[7] - a[1] * a[8]) * id; t[2] = (a[1] * a[5] - a[2] * a[4]) * id;
        t[3] = (a[5] * a[6] - a[3] * a[8]) * id; t[4] = (a[0] * a[8] - a[2] * a[6]) * id; t[5] = (a[2] * a[3] - a[0] * a[5]) * id;
        t[6] = (a[3] * a[7] - a[4] * a[6]) * id; t[7] = (a[1] * a[6] - a[0] * a[7]) * id; t[8] = (a[0] * a[4] - a[1] * a[3]) * id;
        t.CopyTo(inv);
        return true;
    }
}
