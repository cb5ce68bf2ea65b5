using System.Numerics;
using System.Numerics.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// 2-d batch normalisation over NCHW, numerically as PyTorch's <c>batch_norm</c> on CPU.
/// <para>Training: per channel ch, over the m = n·h·w values, mean μ = Σx/m, biased variance σ² = Σ(x−μ)²/m,
/// invstd = 1/√(σ² + eps), y = (x − μ)·invstd·γ + β. Running statistics (when given) become
/// running_mean ← (1−momentum)·running_mean + momentum·μ and
/// running_var ← (1−momentum)·running_var + momentum·σ²·m/(m−1) (the unbiased variance, as PyTorch).</para>
/// <para>Eval: y = (x − running_mean)/√(running_var + eps)·γ + β.</para>
/// <para>Empty weight/bias spans mean no affine transform (γ = 1, β = 0); empty running-stat spans mean none are
/// tracked. Backward kernels write dx and ADD into dWeight/dBias; any of the three may be empty to skip it.</para>
/// </summary>
public static class BatchNormKernels
{
    /// <summary>Training-mode forward (optimised). Saves μ and invstd per channel for the backward.</summary>
    /// <param name="x">[n, c, h, w]</param>
    /// <param name="weight">[c] or empty</param>
    /// <param name="bias">[c] or empty</param>
    /// <param name="y">[n, c, h, w] output (may not alias x)</param>
    /// <param name="saveMean">[c] batch mean μ</param>
    /// <param name="saveInvStd">[c] 1/√(σ²+eps) with the biased σ²</param>
    /// <param name="runningMean">[c] updated in place, or empty</param>
    /// <param name="runningVar">[c] updated in place with the unbiased variance, or empty</param>
    /// <param name="momentum">running-stat momentum (PyTorch default 0.1)</param>
    /// <param name="eps">variance epsilon (PyTorch default 1e-5)</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    public static unsafe void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        float momentum, float eps, int n, int c, int h, int w)
    {
        CheckTraining(x, weight, bias, y, saveMean, saveInvStd, runningMean, runningVar, n, c, h, w);
        int hw = h * w;
        long m = (long)n * hw;
        bool affine = !weight.IsEmpty, hasBias = !bias.IsEmpty, running = !runningMean.IsEmpty;
        fixed (float* px = x, pw = weight, pb = bias, py = y, pm = saveMean, ps = saveInvStd, prm = runningMean, prv = runningVar)
        {
            nint ax = (nint)px, aw = (nint)pw, ab = (nint)pb, ay = (nint)py, am = (nint)pm, as_ = (nint)ps, arm = (nint)prm, arv = (nint)prv;
            int total = x.Length;
            NnKernelHelpers.For(c, m, ch =>
            {
                var xs = new ReadOnlySpan<float>((void*)ax, total);
                var ys = new Span<float>((void*)ay, total);
                double sum = 0;
                for (int b = 0; b < n; b++) sum += TensorPrimitives.Sum(xs.Slice((b * c + ch) * hw, hw));
                float mean = (float)(sum / m);
                double sq = 0;
                for (int b = 0; b < n; b++)
                {
                    var yp = ys.Slice((b * c + ch) * hw, hw);
                    TensorPrimitives.Subtract(xs.Slice((b * c + ch) * hw, hw), mean, yp);
                    sq += TensorPrimitives.SumOfSquares<float>(yp);
                }
                double var = sq / m;
                float invstd = (float)(1.0 / Math.Sqrt(var + eps));
                ((float*)am)[ch] = mean;
                ((float*)as_)[ch] = invstd;
                float scale = affine ? ((float*)aw)[ch] * invstd : invstd;
                float shift = hasBias ? ((float*)ab)[ch] : 0f;
                for (int b = 0; b < n; b++)
                {
                    var yp = ys.Slice((b * c + ch) * hw, hw);
                    NnKernelHelpers.ScaleShift(yp, scale, shift, yp);
                }
                if (running)
                {
                    float* rm = (float*)arm, rv = (float*)arv;
                    rm[ch] = (float)((1.0 - momentum) * rm[ch] + momentum * (sum / m));
                    rv[ch] = (float)((1.0 - momentum) * rv[ch] + momentum * (sq / (m - 1)));
                }
            });
        }
    }

    /// <summary>Eval-mode forward (optimised): y = (x − running_mean)·(γ/√(running_var + eps)) + β.</summary>
    /// <param name="x">[n, c, h, w]</param><param name="runningMean">[c]</param><param name="runningVar">[c]</param>
    /// <param name="weight">[c] or empty</param><param name="bias">[c] or empty</param>
    /// <param name="y">[n, c, h, w] output (may alias x)</param>
    /// <param name="eps">variance epsilon</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    public static unsafe void ForwardEval(ReadOnlySpan<float> x, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, float eps, int n, int c, int h, int w)
    {
        CheckEval(x, runningMean, runningVar, weight, bias, y, n, c, h, w);
        int hw = h * w;
        bool affine = !weight.IsEmpty, hasBias = !bias.IsEmpty;
        fixed (float* px = x, py = y)
        {
            nint ax = (nint)px, ay = (nint)py;
            int total = x.Length;
            var scale = new float[c];
            var shift = new float[c];
            for (int ch = 0; ch < c; ch++)
            {
                float invstd = (float)(1.0 / Math.Sqrt((double)runningVar[ch] + eps));
                scale[ch] = affine ? weight[ch] * invstd : invstd;
                shift[ch] = (hasBias ? bias[ch] : 0f) - runningMean[ch] * scale[ch];
            }
            NnKernelHelpers.For(n * c, hw, plane =>
            {
                int ch = plane % c;
                var xs = new ReadOnlySpan<float>((void*)ax, total).Slice(plane * hw, hw);
                var ys = new Span<float>((void*)ay, total).Slice(plane * hw, hw);
                NnKernelHelpers.ScaleShift(xs, scale[ch], shift[ch], ys);
            });
        }
    }

    /// <summary>
    /// Training-mode backward (optimised). With x̂ = (x−μ)·invstd and sums over the m values of a channel:
    /// dβ += Σdy, dγ += Σdy·x̂, dx = γ·invstd/m·(m·dy − Σdy − x̂·Σdy·x̂).
    /// </summary>
    /// <param name="dy">[n, c, h, w] upstream gradient</param><param name="x">[n, c, h, w] forward input</param>
    /// <param name="saveMean">[c] from the forward</param><param name="saveInvStd">[c] from the forward</param>
    /// <param name="weight">[c] or empty</param>
    /// <param name="dx">[n, c, h, w] written, or empty</param><param name="dWeight">[c] accumulated, or empty</param>
    /// <param name="dBias">[c] accumulated, or empty</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    public static unsafe void BackwardTraining(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> saveMean,
        ReadOnlySpan<float> saveInvStd, ReadOnlySpan<float> weight, Span<float> dx, Span<float> dWeight, Span<float> dBias,
        int n, int c, int h, int w)
    {
        CheckBackward(dy, x, saveMean, saveInvStd, weight, dx, dWeight, dBias, n, c, h, w);
        int hw = h * w;
        long m = (long)n * hw;
        bool affine = !weight.IsEmpty, wantDx = !dx.IsEmpty;
        var sdy = new double[c];
        var sdyxhat = new double[c];
        fixed (float* pdy = dy, px = x, pdx = dx)
        {
            nint ady = (nint)pdy, ax = (nint)px, adx = (nint)pdx;
            int total = x.Length;
            var mean = saveMean.ToArray();
            var invstd = saveInvStd.ToArray();
            var gamma = affine ? weight.ToArray() : null;
            NnKernelHelpers.For(c, 2 * m, ch =>
            {
                var dys = new ReadOnlySpan<float>((void*)ady, total);
                var xs = new ReadOnlySpan<float>((void*)ax, total);
                double s = 0, sx = 0;
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * hw;
                    s += TensorPrimitives.Sum(dys.Slice(o, hw));
                    sx += TensorPrimitives.Dot(dys.Slice(o, hw), xs.Slice(o, hw));
                }
                double sxhat = invstd[ch] * (sx - mean[ch] * s);
                sdy[ch] = s;
                sdyxhat[ch] = sxhat;
                if (!wantDx) return;
                double a = (gamma is null ? 1.0 : gamma[ch]) * invstd[ch];
                float bx = (float)(-a * invstd[ch] * sxhat / m);
                float c0 = (float)(-a * s / m + a * invstd[ch] * mean[ch] * sxhat / m);
                var dxs = new Span<float>((void*)adx, total);
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * hw;
                    var d = dxs.Slice(o, hw);
                    NnKernelHelpers.ScaleShift(xs.Slice(o, hw), bx, c0, d);
                    TensorPrimitives.MultiplyAdd(dys.Slice(o, hw), (float)a, d, d);
                }
            });
        }
        for (int ch = 0; ch < c; ch++)
        {
            if (!dWeight.IsEmpty) dWeight[ch] += (float)sdyxhat[ch];
            if (!dBias.IsEmpty) dBias[ch] += (float)sdy[ch];
        }
    }

    /// <summary>
    /// Eval-mode backward (optimised). With invstd = 1/√(running_var + eps) and x̂ = (x − running_mean)·invstd:
    /// dx = dy·γ·invstd, dγ += Σdy·x̂, dβ += Σdy.
    /// </summary>
    /// <param name="dy">[n, c, h, w]</param><param name="x">[n, c, h, w]</param>
    /// <param name="runningMean">[c]</param><param name="runningVar">[c]</param><param name="weight">[c] or empty</param>
    /// <param name="dx">[n, c, h, w] written, or empty</param><param name="dWeight">[c] accumulated, or empty</param>
    /// <param name="dBias">[c] accumulated, or empty</param><param name="eps">variance epsilon</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    public static unsafe void BackwardEval(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, ReadOnlySpan<float> weight, Span<float> dx, Span<float> dWeight, Span<float> dBias,
        float eps, int n, int c, int h, int w)
    {
        CheckBackward(dy, x, runningMean, runningVar, weight, dx, dWeight, dBias, n, c, h, w);
        int hw = h * w;
        bool affine = !weight.IsEmpty, wantDx = !dx.IsEmpty, wantParams = !dWeight.IsEmpty || !dBias.IsEmpty;
        var sdy = new double[c];
        var sdyxhat = new double[c];
        var mean = runningMean.ToArray();
        var invstd = new float[c];
        for (int ch = 0; ch < c; ch++) invstd[ch] = (float)(1.0 / Math.Sqrt((double)runningVar[ch] + eps));
        var gamma = affine ? weight.ToArray() : null;
        fixed (float* pdy = dy, px = x, pdx = dx)
        {
            nint ady = (nint)pdy, ax = (nint)px, adx = (nint)pdx;
            int total = x.Length;
            NnKernelHelpers.For(c, 2L * n * hw, ch =>
            {
                var dys = new ReadOnlySpan<float>((void*)ady, total);
                var xs = new ReadOnlySpan<float>((void*)ax, total);
                var dxs = new Span<float>((void*)adx, total);
                float a = (gamma is null ? 1f : gamma[ch]) * invstd[ch];
                double s = 0, sx = 0;
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * hw;
                    if (wantParams)
                    {
                        s += TensorPrimitives.Sum(dys.Slice(o, hw));
                        sx += TensorPrimitives.Dot(dys.Slice(o, hw), xs.Slice(o, hw));
                    }
                    if (wantDx) TensorPrimitives.Multiply(dys.Slice(o, hw), a, dxs.Slice(o, hw));
                }
                sdy[ch] = s;
                sdyxhat[ch] = invstd[ch] * (sx - mean[ch] * s);
            });
        }
        for (int ch = 0; ch < c; ch++)
        {
            if (!dWeight.IsEmpty) dWeight[ch] += (float)sdyxhat[ch];
            if (!dBias.IsEmpty) dBias[ch] += (float)sdy[ch];
        }
    }

    /// <summary>Plain reference of <see cref="ForwardTraining"/> (the test oracle), in any floating type.</summary>
    public static void ForwardTrainingReference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias,
        Span<T> y, Span<T> saveMean, Span<T> saveInvStd, Span<T> runningMean, Span<T> runningVar,
        T momentum, T eps, int n, int c, int h, int w) where T : IFloatingPointIeee754<T>
    {
        int hw = h * w;
        T m = T.CreateChecked((long)n * hw);
        for (int ch = 0; ch < c; ch++)
        {
            T sum = T.Zero;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) sum += x[(b * c + ch) * hw + i];
            T mean = sum / m;
            T sq = T.Zero;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) { T d = x[(b * c + ch) * hw + i] - mean; sq += d * d; }
            T var = sq / m;
            T invstd = T.One / T.Sqrt(var + eps);
            saveMean[ch] = mean;
            saveInvStd[ch] = invstd;
            T g = weight.IsEmpty ? T.One : weight[ch];
            T be = bias.IsEmpty ? T.Zero : bias[ch];
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++)
                {
                    int k = (b * c + ch) * hw + i;
                    y[k] = (x[k] - mean) * invstd * g + be;
                }
            if (!runningMean.IsEmpty)
            {
                runningMean[ch] = (T.One - momentum) * runningMean[ch] + momentum * mean;
                runningVar[ch] = (T.One - momentum) * runningVar[ch] + momentum * sq / (m - T.One);
            }
        }
    }

    /// <summary>Plain reference of <see cref="ForwardEval"/>.</summary>
    public static void ForwardEvalReference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVar,
        ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, T eps, int n, int c, int h, int w) where T : IFloatingPointIeee754<T>
    {
        int hw = h * w;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                T invstd = T.One / T.Sqrt(runningVar[ch] + eps);
                T g = weight.IsEmpty ? T.One : weight[ch];
                T be = bias.IsEmpty ? T.Zero : bias[ch];
                for (int i = 0; i < hw; i++)
                {
                    int k = (b * c + ch) * hw + i;
                    y[k] = (x[k] - runningMean[ch]) * invstd * g + be;
                }
            }
    }

    /// <summary>Plain reference of <see cref="BackwardTraining"/>.</summary>
    public static void BackwardTrainingReference<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> saveMean,
        ReadOnlySpan<T> saveInvStd, ReadOnlySpan<T> weight, Span<T> dx, Span<T> dWeight, Span<T> dBias,
        int n, int c, int h, int w) where T : IFloatingPointIeee754<T>
    {
        int hw = h * w;
        T m = T.CreateChecked((long)n * hw);
        for (int ch = 0; ch < c; ch++)
        {
            T sdy = T.Zero, sdyxhat = T.Zero;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++)
                {
                    int k = (b * c + ch) * hw + i;
                    sdy += dy[k];
                    sdyxhat += dy[k] * (x[k] - saveMean[ch]) * saveInvStd[ch];
                }
            if (!dWeight.IsEmpty) dWeight[ch] += sdyxhat;
            if (!dBias.IsEmpty) dBias[ch] += sdy;
            if (dx.IsEmpty) continue;
            T g = weight.IsEmpty ? T.One : weight[ch];
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++)
                {
                    int k = (b * c + ch) * hw + i;
                    T xhat = (x[k] - saveMean[ch]) * saveInvStd[ch];
                    dx[k] = g * saveInvStd[ch] / m * (m * dy[k] - sdy - xhat * sdyxhat);
                }
        }
    }

    /// <summary>Plain reference of <see cref="BackwardEval"/>.</summary>
    public static void BackwardEvalReference<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> runningMean,
        ReadOnlySpan<T> runningVar, ReadOnlySpan<T> weight, Span<T> dx, Span<T> dWeight, Span<T> dBias,
        T eps, int n, int c, int h, int w) where T : IFloatingPointIeee754<T>
    {
        int hw = h * w;
        for (int ch = 0; ch < c; ch++)
        {
            T invstd = T.One / T.Sqrt(runningVar[ch] + eps);
            T g = weight.IsEmpty ? T.One : weight[ch];
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++)
                {
                    int k = (b * c + ch) * hw + i;
                    if (!dx.IsEmpty) dx[k] = dy[k] * g * invstd;
                    if (!dWeight.IsEmpty) dWeight[ch] += dy[k] * (x[k] - runningMean[ch]) * invstd;
                    if (!dBias.IsEmpty) dBias[ch] += dy[k];
                }
        }
    }

    private static void CheckTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int h, int w)
    {
        long total = (long)n * c * h * w;
        NnKernelHelpers.CheckLength(x.Length, total, nameof(x));
        NnKernelHelpers.CheckLength(y.Length, total, nameof(y));
        NnKernelHelpers.CheckLength(saveMean.Length, c, nameof(saveMean));
        NnKernelHelpers.CheckLength(saveInvStd.Length, c, nameof(saveInvStd));
        if (!weight.IsEmpty) NnKernelHelpers.CheckLength(weight.Length, c, nameof(weight));
        if (!bias.IsEmpty) NnKernelHelpers.CheckLength(bias.Length, c, nameof(bias));
        if (runningMean.IsEmpty != runningVar.IsEmpty) throw new ArgumentException("runningMean and runningVar must both be given or both be empty");
        if (!runningMean.IsEmpty)
        {
            NnKernelHelpers.CheckLength(runningMean.Length, c, nameof(runningMean));
            NnKernelHelpers.CheckLength(runningVar.Length, c, nameof(runningVar));
        }
        if ((long)n * h * w <= 1)
            throw new ArgumentException($"batch norm training needs more than one value per channel, got input [{n}, {c}, {h}, {w}]");
    }

    private static void CheckEval(ReadOnlySpan<float> x, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, int n, int c, int h, int w)
    {
        long total = (long)n * c * h * w;
        NnKernelHelpers.CheckLength(x.Length, total, nameof(x));
        NnKernelHelpers.CheckLength(y.Length, total, nameof(y));
        NnKernelHelpers.CheckLength(runningMean.Length, c, nameof(runningMean));
        NnKernelHelpers.CheckLength(runningVar.Length, c, nameof(runningVar));
        if (!weight.IsEmpty) NnKernelHelpers.CheckLength(weight.Length, c, nameof(weight));
        if (!bias.IsEmpty) NnKernelHelpers.CheckLength(bias.Length, c, nameof(bias));
    }

    private static void CheckBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> stat0,
        ReadOnlySpan<float> stat1, ReadOnlySpan<float> weight, Span<float> dx, Span<float> dWeight, Span<float> dBias,
        int n, int c, int h, int w)
    {
        long total = (long)n * c * h * w;
        NnKernelHelpers.CheckLength(dy.Length, total, nameof(dy));
        NnKernelHelpers.CheckLength(x.Length, total, nameof(x));
        NnKernelHelpers.CheckLength(stat0.Length, c, "mean");
        NnKernelHelpers.CheckLength(stat1.Length, c, "invstd/var");
        if (!weight.IsEmpty) NnKernelHelpers.CheckLength(weight.Length, c, nameof(weight));
        if (!dx.IsEmpty) NnKernelHelpers.CheckLength(dx.Length, total, nameof(dx));
        if (!dWeight.IsEmpty) NnKernelHelpers.CheckLength(dWeight.Length, c, nameof(dWeight));
        if (!dBias.IsEmpty) NnKernelHelpers.CheckLength(dBias.Length, c, nameof(dBias));
    }
}
