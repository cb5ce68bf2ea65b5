using System.Numerics;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// 2-d max pooling over NCHW, as PyTorch's <c>max_pool2d</c> (dilation 1, floor mode, implicit −∞ padding):
/// out size = ⌊(size + 2·padding − kernel)/stride⌋ + 1; y[b,c,i,j] = max over the window starting at
/// (i·sh − ph, j·sw − pw). Ties keep the first maximum in row-major scan order and any NaN replaces the running maximum (PyTorch's rule);
/// the argmax is saved as the flat index ih·w + iw inside the input plane.
/// </summary>
public static class PoolKernels
{
    /// <summary>Output extent of one spatial dimension: ⌊(size + 2·padding − kernel)/stride⌋ + 1.</summary>
    public static int MaxPool2dOutputSize(int size, int kernel, int stride, int padding)
    {
        if (kernel <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"max-pool kernel {kernel} and stride {stride} must be positive, padding {padding} non-negative");
        if (padding > kernel / 2)
            throw new ArgumentException($"max-pool padding {padding} must be at most half the kernel size {kernel}");
        int o = (size + 2 * padding - kernel) / stride + 1;
        if (size + 2 * padding < kernel || o <= 0)
            throw new ArgumentException($"max-pool input extent {size} (padding {padding}) is smaller than the kernel {kernel}");
        return o;
    }

    /// <summary>Forward (optimised; a dedicated path for 2×2 stride 2 without padding).</summary>
    /// <param name="x">[n, c, h, w]</param>
    /// <param name="y">[n, c, ho, wo] output</param>
    /// <param name="indices">[n, c, ho, wo] argmax, flat index inside the input plane</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">height</param><param name="w">width</param>
    /// <param name="kh">kernel height</param><param name="kw">kernel width</param>
    /// <param name="sh">stride height</param><param name="sw">stride width</param>
    /// <param name="ph">padding height</param><param name="pw">padding width</param>
    public static unsafe void MaxPool2dForward(ReadOnlySpan<float> x, Span<float> y, Span<int> indices,
        int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        int ho = MaxPool2dOutputSize(h, kh, sh, ph), wo = MaxPool2dOutputSize(w, kw, sw, pw);
        NnKernelHelpers.CheckLength(x.Length, (long)n * c * h * w, nameof(x));
        NnKernelHelpers.CheckLength(y.Length, (long)n * c * ho * wo, nameof(y));
        NnKernelHelpers.CheckLength(indices.Length, (long)n * c * ho * wo, nameof(indices));
        bool fast2x2 = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
        fixed (float* px = x, py = y)
        fixed (int* pi = indices)
        {
            nint ax = (nint)px, ay = (nint)py, ai = (nint)pi;
            NnKernelHelpers.For(n * c, (long)h * w, plane =>
            {
                float* xp = (float*)ax + (long)plane * h * w;
                float* yp = (float*)ay + (long)plane * ho * wo;
                int* ip = (int*)ai + (long)plane * ho * wo;
                if (fast2x2) Plane2x2(xp, yp, ip, w, ho, wo);
                else PlaneGeneral(xp, yp, ip, h, w, ho, wo, kh, kw, sh, sw, ph, pw);
            });
        }
    }

    private static unsafe void Plane2x2(float* xp, float* yp, int* ip, int w, int ho, int wo)
    {
        for (int i = 0; i < ho; i++)
        {
            float* r0 = xp + (2 * i) * w;
            float* r1 = r0 + w;
            int base0 = 2 * i * w;
            for (int j = 0; j < wo; j++)
            {
                int jj = 2 * j;
                float best = r0[jj]; int bi = base0 + jj;
                float v = r0[jj + 1];
                if (v > best || float.IsNaN(v)) { best = v; bi = base0 + jj + 1; }
                v = r1[jj];
                if (v > best || float.IsNaN(v)) { best = v; bi = base0 + w + jj; }
                v = r1[jj + 1];
                if (v > best || float.IsNaN(v)) { best = v; bi = base0 + w + jj + 1; }
                yp[i * wo + j] = best;
                ip[i * wo + j] = bi;
            }
        }
    }

    private static unsafe void PlaneGeneral(float* xp, float* yp, int* ip, int h, int w, int ho, int wo,
        int kh, int kw, int sh, int sw, int ph, int pw)
    {
        for (int i = 0; i < ho; i++)
        {
            int h0 = i * sh - ph, h1 = Math.Min(h0 + kh, h);
            h0 = Math.Max(h0, 0);
            for (int j = 0; j < wo; j++)
            {
                int w0 = j * sw - pw, w1 = Math.Min(w0 + kw, w);
                w0 = Math.Max(w0, 0);
                float best = float.NegativeInfinity; int bi = h0 * w + w0;
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++)
                    {
                        float v = xp[ih * w + iw];
                        if (v > best || float.IsNaN(v)) { best = v; bi = ih * w + iw; }
                    }
                yp[i * wo + j] = best;
                ip[i * wo + j] = bi;
            }
        }
    }

    /// <summary>Backward (optimised): dx = 0, then dx[b, c, indices[b,c,i,j]] += dy[b,c,i,j].</summary>
    /// <param name="dy">[n, c, ho, wo]</param><param name="indices">[n, c, ho, wo] from the forward</param>
    /// <param name="dx">[n, c, h, w] written</param>
    /// <param name="n">batch</param><param name="c">channels</param><param name="h">input height</param><param name="w">input width</param>
    /// <param name="ho">output height</param><param name="wo">output width</param>
    public static unsafe void MaxPool2dBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> indices, Span<float> dx,
        int n, int c, int h, int w, int ho, int wo)
    {
        NnKernelHelpers.CheckLength(dy.Length, (long)n * c * ho * wo, nameof(dy));
        NnKernelHelpers.CheckLength(indices.Length, (long)n * c * ho * wo, nameof(indices));
        NnKernelHelpers.CheckLength(dx.Length, (long)n * c * h * w, nameof(dx));
        int hw = h * w, ohw = ho * wo;
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pi = indices)
        {
            nint ady = (nint)pdy, adx = (nint)pdx, ai = (nint)pi;
            NnKernelHelpers.For(n * c, hw, plane =>
            {
                float* d = (float*)adx + (long)plane * hw;
                float* g = (float*)ady + (long)plane * ohw;
                int* idx = (int*)ai + (long)plane * ohw;
                new Span<float>(d, hw).Clear();
                for (int k = 0; k < ohw; k++)
                {
                    int t = idx[k];
                    if ((uint)t >= (uint)hw) throw new ArgumentException($"max-pool index {t} outside the input plane of {hw} values");
                    d[t] += g[k];
                }
            });
        }
    }

    /// <summary>Plain reference of <see cref="MaxPool2dForward"/> (the test oracle), in any floating type.</summary>
    public static void MaxPool2dForwardReference<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> indices,
        int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) where T : IFloatingPointIeee754<T>
    {
        int ho = MaxPool2dOutputSize(h, kh, sh, ph), wo = MaxPool2dOutputSize(w, kw, sw, pw);
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    T best = T.NegativeInfinity;
                    int bi = -1;
                    for (int a = 0; a < kh; a++)
                        for (int b = 0; b < kw; b++)
                        {
                            int ih = i * sh - ph + a, iw = j * sw - pw + b;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            T v = x[plane * h * w + ih * w + iw];
                            if (bi < 0) bi = ih * w + iw;
                            if (v > best || T.IsNaN(v)) { best = v; bi = ih * w + iw; }
                        }
                    y[(plane * ho + i) * wo + j] = best;
                    indices[(plane * ho + i) * wo + j] = bi;
                }
    }

    /// <summary>Plain reference of <see cref="MaxPool2dBackward"/>.</summary>
    public static void MaxPool2dBackwardReference<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> indices, Span<T> dx,
        int n, int c, int h, int w, int ho, int wo) where T : IFloatingPointIeee754<T>
    {
        dx.Clear();
        for (int plane = 0; plane < n * c; plane++)
            for (int k = 0; k < ho * wo; k++)
                dx[plane * h * w + indices[plane * ho * wo + k]] += dy[plane * ho * wo + k];
    }
}
