using System.Numerics.Tensors;

namespace PoseKD.Engine.Ot;

/// <summary>
/// Span kernels of the log-domain Sinkhorn divergence between two weighted point clouds (one problem per call;
/// <see cref="SamplesLoss"/> batches them). Arithmetic is in double. Notation: α (n weights) on x (n × d),
/// β (m weights) on y (m × d); C(u, v) = |u − v| (p = 1) or |u − v|²/2 (p = 2); softmin_ε(C, h)_i =
/// −ε·log Σ_j exp(h_j − C_ij/ε); λ = 1/(1 + ε/ρ) (1 when balanced). Dual potentials: f_ab on x and g_ab on y for
/// OT(α, β); f_aa on x for OT(α, α); g_bb on y for OT(β, β).
/// <para>The iteration is geomloss 0.2.4's "tensorized" one: initialise every potential with one softmin at the
/// first ε of the schedule, then for every ε of the schedule (the first included again) take a symmetric
/// step, each potential averaged with its update; finally one extrapolation step at the last ε — the only
/// step gradients flow through (its softmin arguments h are constants, see <see cref="SoftminGradient"/>).</para>
/// </summary>
public static class SinkhornKernels
{
    /// <summary>log-weight given to points of weight ≤ 0 (geomloss's −100000).</summary>
    public const double ZeroWeightLog = -100000.0;

    /// <summary>
    /// The ε-scaling schedule: [dᵖ] followed by exp(e) for e = p·ln d + k·p·ln s while below p·ln blur (numpy's
    /// <c>arange</c>: ⌈(p ln blur − p ln d)/(p ln s)⌉ values, none when d ≤ blur) and finally blurᵖ.
    /// A zero diameter (every point at one place; geomloss fails on log 0) is treated as d = blur.
    /// </summary>
    public static double[] EpsilonSchedule(int p, double diameter, double blur, double scaling)
    {
        if (!(diameter > 0)) diameter = blur;
        double start = p * Math.Log(diameter), stop = p * Math.Log(blur), step = p * Math.Log(scaling);
        long count = (long)Math.Ceiling((stop - start) / step);
        if (count < 0) count = 0;
        var eps = new double[count + 2];
        eps[0] = Math.Pow(diameter, p);
        for (long k = 0; k < count; k++) eps[k + 1] = Math.Exp(start + k * step);
        eps[^1] = Math.Pow(blur, p);
        return eps;
    }

    /// <summary>Damping of the unbalanced updates, 1/(1 + ε/ρ); 1 when <paramref name="rho"/> is infinite (balanced).</summary>
    public static double Dampening(double eps, double rho) => double.IsPositiveInfinity(rho) ? 1.0 : 1.0 / (1.0 + eps / rho);

    /// <summary>Ground cost between point u and point v (each d values).</summary>
    public static double Cost(ReadOnlySpan<float> u, ReadOnlySpan<float> v, int p)
    {
        double s = 0;
        for (int k = 0; k < u.Length; k++) { double t = (double)u[k] - v[k]; s += t * t; }
        return p == 1 ? Math.Sqrt(s) : 0.5 * s;
    }

    /// <summary>Cost matrix c[i, j] = C(u_i, v_j).</summary>
    public static void CostMatrix(ReadOnlySpan<float> u /*[n,d]*/, ReadOnlySpan<float> v /*[m,d]*/, Span<double> c /*[n,m]*/, int p, int n, int m, int d)
    {
        for (int i = 0; i < n; i++)
        {
            var ui = u.Slice(i * d, d);
            for (int j = 0; j < m; j++) c[i * m + j] = Cost(ui, v.Slice(j * d, d), p);
        }
    }

    /// <summary>result_i = λ·softmin_ε(c, h)_i = −λ·ε·log Σ_j exp(h_j − c_ij/ε), with the usual max shift (plain reference loop).</summary>
    public static void Softmin(ReadOnlySpan<double> c /*[n,m]*/, ReadOnlySpan<double> h /*[m]*/, Span<double> result /*[n]*/, double eps, double lambda, int n, int m)
    {
        double inv = 1.0 / eps;
        for (int i = 0; i < n; i++)
        {
            var row = c.Slice(i * m, m);
            double max = double.NegativeInfinity;
            for (int j = 0; j < m; j++) { double t = h[j] - row[j] * inv; if (t > max) max = t; }
            double sum = 0;
            for (int j = 0; j < m; j++) sum += Math.Exp(h[j] - row[j] * inv - max);
            result[i] = -lambda * eps * (max + Math.Log(sum));
        }
    }

    /// <summary>
    /// <see cref="Softmin(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, double, double, int, int)"/> with
    /// the exponentials of all n·m entries taken in one vectorised <c>TensorPrimitives.Exp</c>
    /// call, through the scratch <paramref name="t"/> [n·m].
    /// </summary>
    public static void Softmin(ReadOnlySpan<double> c /*[n,m]*/, ReadOnlySpan<double> h /*[m]*/, Span<double> result /*[n]*/, Span<double> t /*[n·m]*/,
        double eps, double lambda, int n, int m)
    {
        double inv = 1.0 / eps;
        t = t[..(n * m)];
        for (int i = 0; i < n; i++)
        {
            var row = c.Slice(i * m, m);
            var ti = t.Slice(i * m, m);
            double max = double.NegativeInfinity;
            for (int j = 0; j < m; j++) { double v = h[j] - row[j] * inv; ti[j] = v; if (v > max) max = v; }
            for (int j = 0; j < m; j++) ti[j] -= max;
            result[i] = max;
        }
        TensorPrimitives.Exp(t, t);
        for (int i = 0; i < n; i++)
        {
            var ti = t.Slice(i * m, m);
            double sum = 0;
            for (int j = 0; j < m; j++) sum += ti[j];
            result[i] = -lambda * eps * (result[i] + Math.Log(sum));
        }
    }

    /// <summary>log of each weight; weights ≤ 0 get <see cref="ZeroWeightLog"/>.</summary>
    public static void LogWeights(ReadOnlySpan<float> w, Span<double> logW)
    {
        for (int i = 0; i < w.Length; i++) logW[i] = w[i] > 0 ? Math.Log(w[i]) : ZeroWeightLog;
    }

    /// <summary>Scratch doubles <see cref="Solve"/> needs for a problem of n source and m target points.</summary>
    public static int WorkspaceLength(int n, int m) => n * n + m * m + 2 * n * m + 4 * n + 4 * m + Math.Max(n, m) * Math.Max(n, m);

    /// <summary>
    /// Runs the ε-scaling Sinkhorn iterations of one problem and the final extrapolation step. Writes the final
    /// potentials (fAb = f_ab, fAa = f_aa on x; gAb = g_ab, gBb = g_bb on y; the *Aa/*Bb ones only when
    /// debiased) and the constant softmin arguments of the final step (hAb over y for f_ab = λ·softmin(C_xy, hAb);
    /// hBa over x for g_ab = λ·softmin(C_yx, hBa); hAa over x for f_aa; hBb over y for g_bb). ρ = +∞ for balanced.
    /// </summary>
    public static void Solve(ReadOnlySpan<float> x /*[n,d]*/, ReadOnlySpan<float> y /*[m,d]*/, ReadOnlySpan<float> alpha /*[n]*/, ReadOnlySpan<float> beta /*[m]*/,
        ReadOnlySpan<double> epsilons, int p, double rho, bool debias,
        Span<double> fAb /*[n]*/, Span<double> gAb /*[m]*/, Span<double> fAa /*[n]*/, Span<double> gBb /*[m]*/,
        Span<double> hAb /*[m]*/, Span<double> hBa /*[n]*/, Span<double> hAa /*[n]*/, Span<double> hBb /*[m]*/,
        Span<double> work, int n, int m, int d)
    {
        int o = 0;
        Span<double> cxy = work.Slice(o, n * m); o += n * m;
        Span<double> cyx = work.Slice(o, n * m); o += n * m;
        Span<double> cxx = debias ? work.Slice(o, n * n) : default; o += n * n;
        Span<double> cyy = debias ? work.Slice(o, m * m) : default; o += m * m;
        Span<double> aLog = work.Slice(o, n); o += n;
        Span<double> tx = work.Slice(o, n); o += n;
        Span<double> tx2 = work.Slice(o, n); o += n;
        Span<double> hx = work.Slice(o, n); o += n;
        Span<double> bLog = work.Slice(o, m); o += m;
        Span<double> ty = work.Slice(o, m); o += m;
        Span<double> ty2 = work.Slice(o, m); o += m;
        Span<double> hy = work.Slice(o, m); o += m;
        Span<double> row = work.Slice(o, Math.Max(n, m) * Math.Max(n, m));

        CostMatrix(x, y, cxy, p, n, m, d);
        CostMatrix(y, x, cyx, p, m, n, d);
        if (debias)
        {
            CostMatrix(x, x, cxx, p, n, n, d);
            CostMatrix(y, y, cyy, p, m, m, d);
        }
        LogWeights(alpha, aLog);
        LogWeights(beta, bLog);

        double eps = epsilons[0], lam = Dampening(eps, rho);
        if (debias)
        {
            Softmin(cxx, aLog, fAa, row, eps, lam, n, n);
            Softmin(cyy, bLog, gBb, row, eps, lam, m, m);
        }
        Softmin(cyx, aLog, gAb, row, eps, lam, m, n);
        Softmin(cxy, bLog, fAb, row, eps, lam, n, m);

        for (int k = 0; k < epsilons.Length; k++)
        {
            eps = epsilons[k];
            lam = Dampening(eps, rho);
            double inv = 1.0 / eps;
            if (debias)
            {
                for (int i = 0; i < n; i++) hx[i] = aLog[i] + fAa[i] * inv;
                Softmin(cxx, hx, tx, row, eps, lam, n, n);
                for (int j = 0; j < m; j++) hy[j] = bLog[j] + gBb[j] * inv;
                Softmin(cyy, hy, ty, row, eps, lam, m, m);
                for (int i = 0; i < n; i++) fAa[i] = 0.5 * (fAa[i] + tx[i]);
                for (int j = 0; j < m; j++) gBb[j] = 0.5 * (gBb[j] + ty[j]);
            }
            for (int i = 0; i < n; i++) hx[i] = aLog[i] + fAb[i] * inv;
            Softmin(cyx, hx, ty2, row, eps, lam, m, n);
            for (int j = 0; j < m; j++) hy[j] = bLog[j] + gAb[j] * inv;
            Softmin(cxy, hy, tx2, row, eps, lam, n, m);
            for (int j = 0; j < m; j++) gAb[j] = 0.5 * (gAb[j] + ty2[j]);
            for (int i = 0; i < n; i++) fAb[i] = 0.5 * (fAb[i] + tx2[i]);
        }

        // final extrapolation at the last ε (λ of the last ε); both OT(α,β) updates read the loop's potentials
        double invLast = 1.0 / eps;
        if (debias)
        {
            for (int i = 0; i < n; i++) hAa[i] = aLog[i] + fAa[i] * invLast;
            for (int j = 0; j < m; j++) hBb[j] = bLog[j] + gBb[j] * invLast;
            Softmin(cxx, hAa, fAa, row, eps, lam, n, n);
            Softmin(cyy, hBb, gBb, row, eps, lam, m, m);
        }
        for (int i = 0; i < n; i++) hBa[i] = aLog[i] + fAb[i] * invLast;
        for (int j = 0; j < m; j++) hAb[j] = bLog[j] + gAb[j] * invLast;
        Softmin(cyx, hBa, gAb, row, eps, lam, m, n);
        Softmin(cxy, hAb, fAb, row, eps, lam, n, m);
    }

    /// <summary>
    /// Per-point terms of the divergence at the final potentials: value = Σ_i α_i·termX_i + Σ_j β_j·termY_j, and
    /// termX/termY are also ∂value/∂α and ∂value/∂β. With w = ρ + ε/2:
    /// debiased balanced termX = f_ab − f_aa, termY = g_ab − g_bb; debiased unbalanced termX = w·(e^(−f_aa/ρ) − e^(−f_ab/ρ)),
    /// termY = w·(e^(−g_bb/ρ) − e^(−g_ab/ρ)); raw balanced termX = f_ab, termY = g_ab; raw unbalanced
    /// termX = w·(1 − e^(−f_ab/ρ)), termY = w·(1 − e^(−g_ab/ρ)). Also writes ∂value/∂(each potential) into the
    /// coefficient spans (coefAa/coefBb only when debiased).
    /// </summary>
    public static double Value(ReadOnlySpan<float> alpha, ReadOnlySpan<float> beta,
        ReadOnlySpan<double> fAb, ReadOnlySpan<double> gAb, ReadOnlySpan<double> fAa, ReadOnlySpan<double> gBb,
        double eps, double rho, bool debias,
        Span<double> termX /*[n]*/, Span<double> termY /*[m]*/,
        Span<double> coefAb /*[n]*/, Span<double> coefBa /*[m]*/, Span<double> coefAa /*[n]*/, Span<double> coefBb /*[m]*/)
    {
        bool balanced = double.IsPositiveInfinity(rho);
        double w = balanced ? 0 : rho + eps / 2;
        double value = 0;
        for (int i = 0; i < alpha.Length; i++)
        {
            double a = alpha[i], t;
            if (balanced)
            {
                t = debias ? fAb[i] - fAa[i] : fAb[i];
                coefAb[i] = a;
                if (debias) coefAa[i] = -a;
            }
            else
            {
                double eab = Math.Exp(-fAb[i] / rho);
                if (debias)
                {
                    double eaa = Math.Exp(-fAa[i] / rho);
                    t = w * (eaa - eab);
                    coefAa[i] = -a * w / rho * eaa;
                }
                else t = w * (1 - eab);
                coefAb[i] = a * w / rho * eab;
            }
            termX[i] = t;
            if (a != 0) value += a * t;
        }
        for (int j = 0; j < beta.Length; j++)
        {
            double b = beta[j], t;
            if (balanced)
            {
                t = debias ? gAb[j] - gBb[j] : gAb[j];
                coefBa[j] = b;
                if (debias) coefBb[j] = -b;
            }
            else
            {
                double eab = Math.Exp(-gAb[j] / rho);
                if (debias)
                {
                    double ebb = Math.Exp(-gBb[j] / rho);
                    t = w * (ebb - eab);
                    coefBb[j] = -b * w / rho * ebb;
                }
                else t = w * (1 - eab);
                coefBa[j] = b * w / rho * eab;
            }
            termY[j] = t;
            if (b != 0) value += b * t;
        }
        return value;
    }

    /// <summary>
    /// Adds into du the gradient, with respect to the source points u only, of Σ_i coef_i·λ·softmin_ε(C(u, v), h)_i
    /// with h and v held constant (geomloss detaches them): du_i += scale·coef_i·λ·Σ_j π_ij·∇_u C(u_i, v_j), where
    /// π_i· = softmax_j(h_j − C(u_i, v_j)/ε); ∇_u C = u − v (p = 2) or (u − v)/|u − v| (p = 1; 0 where u = v).
    /// d must be at most <see cref="SamplesLoss.MaxDimension"/>; <paramref name="scratch"/> holds n·m doubles.
    /// </summary>
    public static void SoftminGradient(ReadOnlySpan<float> u /*[n,d]*/, ReadOnlySpan<float> v /*[m,d]*/, ReadOnlySpan<double> h /*[m]*/,
        ReadOnlySpan<double> coef /*[n]*/, Span<float> du /*[n,d]*/, Span<double> scratch /*[n·m]*/,
        double eps, double lambda, double scale, int p, int n, int m, int d)
    {
        double inv = 1.0 / eps;
        var t = scratch[..(n * m)];
        for (int i = 0; i < n; i++)
        {
            var ui = u.Slice(i * d, d);
            var ti = t.Slice(i * m, m);
            double max = double.NegativeInfinity;
            for (int j = 0; j < m; j++) { double e = h[j] - Cost(ui, v.Slice(j * d, d), p) * inv; ti[j] = e; if (e > max) max = e; }
            for (int j = 0; j < m; j++) ti[j] -= max;
        }
        TensorPrimitives.Exp(t, t);
        Span<double> acc = stackalloc double[d];
        for (int i = 0; i < n; i++)
        {
            double ci = coef[i] * lambda * scale;
            if (ci == 0) continue;
            var ui = u.Slice(i * d, d);
            var ti = t.Slice(i * m, m);
            double sum = 0;
            for (int j = 0; j < m; j++) sum += ti[j];
            acc.Clear();
            for (int j = 0; j < m; j++)
            {
                double pij = ti[j] / sum;
                if (pij == 0) continue;
                var vj = v.Slice(j * d, d);
                if (p == 1)
                {
                    double r = Math.Sqrt(2 * Cost(ui, vj, 2));
                    if (r == 0) continue;
                    pij /= r;
                }
                for (int k = 0; k < d; k++) acc[k] += pij * ((double)ui[k] - vj[k]);
            }
            for (int k = 0; k < d; k++) du[i * d + k] += (float)(ci * acc[k]);
        }
    }
}
