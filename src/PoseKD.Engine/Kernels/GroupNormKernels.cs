using System.Numerics;
using System.Numerics.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Group normalisation over NCHW, as PyTorch's <c>group_norm</c>: the c channels are split into g groups of
/// c/g consecutive channels; per sample b and group k, over its M = (c/g)·h·w values, μ = Σx/M,
/// σ² = Σ(x−μ)²/M (biased), invstd = 1/√(σ² + eps), and y = (x − μ)·invstd·γ[ch] + β[ch] (per-channel affine).
/// <para>Empty weight/bias spans mean no affine transform. Backward writes dx and ADDS into dWeight/dBias;
/// any of the three may be empty to skip it.</para>
/// </summary>
public static class GroupNormKernels
{
    /// <summary>Forward (optimised). Saves μ and invstd per (sample, group).</summary>
    /// <param name="x">[n, c, h, w]</param><param name="weight">[c] or empty</param><param name="bias">[c] or empty</param>
    /// <param name="y">[n, c, h, w] output (may not alias x)</param>
    /// <param name="saveMean">[n, g]</param><param name="saveInvStd">[n, g]</param>
    /// <param name="eps">variance epsilon (PyTorch default 1e-5)</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    /// <param name="groups">g, must divide c</param>
    public static unsafe void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, float eps, int n, int c, int h, int w, int groups)
    {
        Check(x, weight, bias, saveMean, saveInvStd, n, c, h, w, groups);
        NnKernelHelpers.CheckLength(y.Length, x.Length, nameof(y));
        int hw = h * w, cpg = c / groups;
        long m = (long)cpg * hw;
        bool affine = !weight.IsEmpty, hasBias = !bias.IsEmpty;
        var gamma = affine ? weight.ToArray() : null;
        var beta = hasBias ? bias.ToArray() : null;
        fixed (float* px = x, py = y, pm = saveMean, ps = saveInvStd)
        {
            nint ax = (nint)px, ay = (nint)py, am = (nint)pm, as_ = (nint)ps;
            int total = x.Length;
            NnKernelHelpers.For(n * groups, 2 * m, bg =>
            {
                int b = bg / groups, k = bg % groups;
                var xs = new ReadOnlySpan<float>((void*)ax, total);
                var ys = new Span<float>((void*)ay, total);
                int o0 = (b * c + k * cpg) * hw;
                double sum = 0;
                for (int j = 0; j < cpg; j++) sum += TensorPrimitives.Sum(xs.Slice(o0 + j * hw, hw));
                float mean = (float)(sum / m);
                double sq = 0;
                for (int j = 0; j < cpg; j++)
                {
                    var yp = ys.Slice(o0 + j * hw, hw);
                    TensorPrimitives.Subtract(xs.Slice(o0 + j * hw, hw), mean, yp);
                    sq += TensorPrimitives.SumOfSquares<float>(yp);
                }
                float invstd = (float)(1.0 / Math.Sqrt(sq / m + eps));
                ((float*)am)[bg] = mean;
                ((float*)as_)[bg] = invstd;
                for (int j = 0; j < cpg; j++)
                {
                    int ch = k * cpg + j;
                    var yp = ys.Slice(o0 + j * hw, hw);
                    NnKernelHelpers.ScaleShift(yp, gamma is null ? invstd : gamma[ch] * invstd, beta is null ? 0f : beta[ch], yp);
                }
            });
        }
    }

    /// <summary>
    /// Backward (optimised). With x̂ = (x−μ)·invstd, d̂ = dy·γ[ch] and means over the M values of a group:
    /// dx = invstd·(d̂ − mean(d̂) − x̂·mean(d̂·x̂)); dγ[ch] += Σ_{b,h,w} dy·x̂; dβ[ch] += Σ_{b,h,w} dy.
    /// </summary>
    /// <param name="dy">[n, c, h, w]</param><param name="x">[n, c, h, w]</param>
    /// <param name="saveMean">[n, g]</param><param name="saveInvStd">[n, g]</param><param name="weight">[c] or empty</param>
    /// <param name="dx">[n, c, h, w] written, or empty</param><param name="dWeight">[c] accumulated, or empty</param>
    /// <param name="dBias">[c] accumulated, or empty</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    /// <param name="groups">g</param>
    public static unsafe void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> saveMean,
        ReadOnlySpan<float> saveInvStd, ReadOnlySpan<float> weight, Span<float> dx, Span<float> dWeight, Span<float> dBias,
        int n, int c, int h, int w, int groups)
    {
        Check(x, weight, ReadOnlySpan<float>.Empty, saveMean, saveInvStd, n, c, h, w, groups);
        NnKernelHelpers.CheckLength(dy.Length, x.Length, nameof(dy));
        if (!dx.IsEmpty) NnKernelHelpers.CheckLength(dx.Length, x.Length, nameof(dx));
        if (!dWeight.IsEmpty) NnKernelHelpers.CheckLength(dWeight.Length, c, nameof(dWeight));
        if (!dBias.IsEmpty) NnKernelHelpers.CheckLength(dBias.Length, c, nameof(dBias));
        int hw = h * w, cpg = c / groups;
        long m = (long)cpg * hw;
        bool wantDx = !dx.IsEmpty;
        var gamma = weight.IsEmpty ? null : weight.ToArray();
        var mean = saveMean.ToArray();
        var invstd = saveInvStd.ToArray();
        var sdy = new double[n * c];
        var sdyxhat = new double[n * c];
        fixed (float* pdy = dy, px = x, pdx = dx)
        {
            nint ady = (nint)pdy, ax = (nint)px, adx = (nint)pdx;
            int total = x.Length;
            NnKernelHelpers.For(n * groups, 3 * m, bg =>
            {
                int b = bg / groups, k = bg % groups;
                var dys = new ReadOnlySpan<float>((void*)ady, total);
                var xs = new ReadOnlySpan<float>((void*)ax, total);
                double r = invstd[bg], mu = mean[bg];
                double sumA = 0, sumB = 0;
                for (int j = 0; j < cpg; j++)
                {
                    int ch = k * cpg + j, o = (b * c + ch) * hw;
                    double s = TensorPrimitives.Sum(dys.Slice(o, hw));
                    double sx = TensorPrimitives.Dot(dys.Slice(o, hw), xs.Slice(o, hw));
                    double sxhat = r * (sx - mu * s);
                    sdy[b * c + ch] = s;
                    sdyxhat[b * c + ch] = sxhat;
                    double g = gamma is null ? 1.0 : gamma[ch];
                    sumA += g * s;
                    sumB += g * sxhat;
                }
                if (!wantDx) return;
                var dxs = new Span<float>((void*)adx, total);
                float bx = (float)(-r * r * sumB / m);
                float c0 = (float)(-r * sumA / m + r * r * sumB * mu / m);
                for (int j = 0; j < cpg; j++)
                {
                    int ch = k * cpg + j, o = (b * c + ch) * hw;
                    var d = dxs.Slice(o, hw);
                    NnKernelHelpers.ScaleShift(xs.Slice(o, hw), bx, c0, d);
                    TensorPrimitives.MultiplyAdd(dys.Slice(o, hw), (float)(r * (gamma is null ? 1.0 : gamma[ch])), d, d);
                }
            });
        }
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, sx = 0;
            for (int b = 0; b < n; b++) { s += sdy[b * c + ch]; sx += sdyxhat[b * c + ch]; }
            if (!dWeight.IsEmpty) dWeight[ch] += (float)sx;
            if (!dBias.IsEmpty) dBias[ch] += (float)s;
        }
    }

    /// <summary>Plain reference of <see cref="Forward"/> (the test oracle), in any floating type.</summary>
    public static void ForwardReference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias,
        Span<T> y, Span<T> saveMean, Span<T> saveInvStd, T eps, int n, int c, int h, int w, int groups)
        where T : IFloatingPointIeee754<T>
    {
        int hw = h * w, cpg = c / groups, gs = cpg * hw;
        T m = T.CreateChecked(gs);
        for (int b = 0; b < n; b++)
            for (int k = 0; k < groups; k++)
            {
                int o = (b * c + k * cpg) * hw;
                T sum = T.Zero;
                for (int i = 0; i < gs; i++) sum += x[o + i];
                T mean = sum / m;
                T sq = T.Zero;
                for (int i = 0; i < gs; i++) { T d = x[o + i] - mean; sq += d * d; }
                T invstd = T.One / T.Sqrt(sq / m + eps);
                saveMean[b * groups + k] = mean;
                saveInvStd[b * groups + k] = invstd;
                for (int i = 0; i < gs; i++)
                {
                    int ch = k * cpg + i / hw;
                    T g = weight.IsEmpty ? T.One : weight[ch];
                    T be = bias.IsEmpty ? T.Zero : bias[ch];
                    y[o + i] = (x[o + i] - mean) * invstd * g + be;
                }
            }
    }

    /// <summary>Plain reference of <see cref="Backward"/>.</summary>
    public static void BackwardReference<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> saveMean,
        ReadOnlySpan<T> saveInvStd, ReadOnlySpan<T> weight, Span<T> dx, Span<T> dWeight, Span<T> dBias,
        int n, int c, int h, int w, int groups) where T : IFloatingPointIeee754<T>
    {
        int hw = h * w, cpg = c / groups, gs = cpg * hw;
        T m = T.CreateChecked(gs);
        for (int b = 0; b < n; b++)
            for (int k = 0; k < groups; k++)
            {
                int o = (b * c + k * cpg) * hw;
                T mean = saveMean[b * groups + k], r = saveInvStd[b * groups + k];
                T sd = T.Zero, sdx = T.Zero;
                for (int i = 0; i < gs; i++)
                {
                    int ch = k * cpg + i / hw;
                    T g = weight.IsEmpty ? T.One : weight[ch];
                    T xhat = (x[o + i] - mean) * r;
                    sd += dy[o + i] * g;
                    sdx += dy[o + i] * g * xhat;
                    if (!dWeight.IsEmpty) dWeight[ch] += dy[o + i] * xhat;
                    if (!dBias.IsEmpty) dBias[ch] += dy[o + i];
                }
                if (dx.IsEmpty) continue;
                for (int i = 0; i < gs; i++)
                {
                    int ch = k * cpg + i / hw;
                    T g = weight.IsEmpty ? T.One : weight[ch];
                    T xhat = (x[o + i] - mean) * r;
                    dx[o + i] = r * (dy[o + i] * g - sd / m - xhat * sdx / m);
                }
            }
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, int n, int c, int h, int w, int groups)
    {
        if (groups <= 0 || c % groups != 0)
            throw new ArgumentException($"group count {groups} must be positive and divide the channel count {c}", nameof(groups));
        NnKernelHelpers.CheckLength(x.Length, (long)n * c * h * w, nameof(x));
        NnKernelHelpers.CheckLength(saveMean.Length, (long)n * groups, nameof(saveMean));
        NnKernelHelpers.CheckLength(saveInvStd.Length, (long)n * groups, nameof(saveInvStd));
        if (!weight.IsEmpty) NnKernelHelpers.CheckLength(weight.Length, c, nameof(weight));
        if (!bias.IsEmpty) NnKernelHelpers.CheckLength(bias.Length, c, nameof(bias));
    }
}
