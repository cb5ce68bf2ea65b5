namespace PoseKD.Engine.Ot;

/// <summary>
/// Span kernels of the kernel (MMD) norms between weighted point clouds, one problem per call, in double:
/// L = ½ Σ_ik α_i α_k k(x_i, x_k) + ½ Σ_jl β_j β_l k(y_j, y_l) − Σ_ij α_i β_j k(x_i, y_j) = ½‖α − β‖²_k,
/// with the radial kernels k of <see cref="SamplesLossKind"/> (σ = blur).
/// </summary>
public static class KernelLossKernels
{
    /// <summary>k(u, v) for the given kernel.</summary>
    public static double Kernel(SamplesLossKind kind, ReadOnlySpan<float> u, ReadOnlySpan<float> v, double blur)
    {
        double s = SquaredDistance(u, v);
        return kind switch
        {
            SamplesLossKind.Gaussian => Math.Exp(-0.5 * s / (blur * blur)),
            SamplesLossKind.Laplacian => Math.Exp(-Math.Sqrt(s) / blur),
            SamplesLossKind.Energy => -Math.Sqrt(s),
            _ => throw new ArgumentException($"{kind} is not a kernel loss"),
        };
    }

    /// <summary>
    /// The factor φ with ∇_u k(u, v) = φ·(u − v): −k/σ² (Gaussian), −k/(σ·|u − v|) (Laplacian), −1/|u − v| (energy);
    /// 0 where u = v for the last two (their square root has no gradient at 0, as geomloss's sqrt_0).
    /// </summary>
    public static double GradientFactor(SamplesLossKind kind, ReadOnlySpan<float> u, ReadOnlySpan<float> v, double blur)
    {
        double s = SquaredDistance(u, v);
        switch (kind)
        {
            case SamplesLossKind.Gaussian: return -Math.Exp(-0.5 * s / (blur * blur)) / (blur * blur);
            case SamplesLossKind.Laplacian:
            {
                double r = Math.Sqrt(s);
                return r == 0 ? 0 : -Math.Exp(-r / blur) / (blur * r);
            }
            case SamplesLossKind.Energy:
            {
                double r = Math.Sqrt(s);
                return r == 0 ? 0 : -1 / r;
            }
            default: throw new ArgumentException($"{kind} is not a kernel loss");
        }
    }

    /// <summary>|u − v|² in double.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> u, ReadOnlySpan<float> v)
    {
        double s = 0;
        for (int k = 0; k < u.Length; k++) { double t = (double)u[k] - v[k]; s += t * t; }
        return s;
    }

    /// <summary>The kernel norm L of one problem (see the class summary).</summary>
    public static double Forward(SamplesLossKind kind, ReadOnlySpan<float> x /*[n,d]*/, ReadOnlySpan<float> y /*[m,d]*/,
        ReadOnlySpan<float> alpha /*[n]*/, ReadOnlySpan<float> beta /*[m]*/, double blur, int n, int m, int d)
    {
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) xx += (double)alpha[i] * alpha[k] * Kernel(kind, x.Slice(i * d, d), x.Slice(k * d, d), blur);
        for (int j = 0; j < m; j++)
            for (int l = 0; l < m; l++) yy += (double)beta[j] * beta[l] * Kernel(kind, y.Slice(j * d, d), y.Slice(l * d, d), blur);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) xy += (double)alpha[i] * beta[j] * Kernel(kind, x.Slice(i * d, d), y.Slice(j * d, d), blur);
        return 0.5 * xx + 0.5 * yy - xy;
    }

    /// <summary>
    /// Adds scale·∂L/∂(x, y, α, β) into dx, dy, dAlpha, dBeta (any may be empty to skip it):
    /// ∂L/∂α_i = Σ_k α_k k(x_i, x_k) − Σ_j β_j k(x_i, y_j); ∂L/∂β_j = Σ_l β_l k(y_j, y_l) − Σ_i α_i k(x_i, y_j);
    /// ∂L/∂x_i = α_i Σ_k α_k ∇₁k(x_i, x_k) − α_i Σ_j β_j ∇₁k(x_i, y_j); ∂L/∂y_j likewise.
    /// </summary>
    public static void Backward(SamplesLossKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> alpha, ReadOnlySpan<float> beta,
        double blur, double scale, Span<float> dx, Span<float> dy, Span<float> dAlpha, Span<float> dBeta, int n, int m, int d)
    {
        Side(kind, x, alpha, y, beta, blur, scale, dx, dAlpha, n, m, d);
        Side(kind, y, beta, x, alpha, blur, scale, dy, dBeta, m, n, d);
    }

    private static void Side(SamplesLossKind kind, ReadOnlySpan<float> u, ReadOnlySpan<float> wu, ReadOnlySpan<float> v, ReadOnlySpan<float> wv,
        double blur, double scale, Span<float> du, Span<float> dw, int n, int m, int d)
    {
        Span<double> acc = stackalloc double[d];
        for (int i = 0; i < n; i++)
        {
            var ui = u.Slice(i * d, d);
            double pot = 0;
            acc.Clear();
            for (int k = 0; k < n; k++)
            {
                var uk = u.Slice(k * d, d);
                if (!dw.IsEmpty) pot += wu[k] * Kernel(kind, ui, uk, blur);
                if (!du.IsEmpty)
                {
                    double phi = wu[k] * GradientFactor(kind, ui, uk, blur);
                    for (int c = 0; c < d; c++) acc[c] += phi * ((double)ui[c] - uk[c]);
                }
            }
            for (int j = 0; j < m; j++)
            {
                var vj = v.Slice(j * d, d);
                if (!dw.IsEmpty) pot -= wv[j] * Kernel(kind, ui, vj, blur);
                if (!du.IsEmpty)
                {
                    double phi = wv[j] * GradientFactor(kind, ui, vj, blur);
                    for (int c = 0; c < d; c++) acc[c] -= phi * ((double)ui[c] - vj[c]);
                }
            }
            if (!dw.IsEmpty) dw[i] += (float)(scale * pot);
            if (!du.IsEmpty)
                for (int c = 0; c < d; c++) du[i * d + c] += (float)(scale * wu[i] * acc[c]);
        }
    }
}
