using System.Numerics;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Sigmoid focal loss on logits, as the reference's class loss (docs/method.md §4; Lin et al., "Focal Loss for Dense
/// Object Detection", ICCV 2017). Logits are [cells, k] for the k foreground classes; label t ∈ {−1, 0, 1..k} per
/// cell (−1 ignored, 0 background, j+1 = class column j). With σ = sigmoid(x) and p = clamp(σ, ε, 1−ε):
/// <code>
///   loss = Σ_{cells, t ≥ 0} Σ_j  [t = j+1]·(−α·(1−p)^γ·log p)  +  [t ≠ j+1]·(−(1−α)·p^γ·log(1−p))
/// </code>
/// The gradient flows through the clamp as PyTorch autograd does: ∂p/∂x = σ(1−σ) where ε ≤ σ ≤ 1−ε and 0 outside.
/// σ and the clamp test are evaluated in float32 (as PyTorch); the rest in double. Reference defaults:
/// γ = 2, α = 0.25, ε = 1e-4.
/// </summary>
public static class FocalLossKernels
{
    private const int CellsPerChunk = 4096;

    /// <summary>Loss only (unfused forward), summed over non-ignored cells in double.</summary>
    /// <param name="logits">[cells, k]</param><param name="labels">[cells]</param>
    /// <param name="gamma">γ</param><param name="alpha">α</param><param name="clampEps">ε</param>
    /// <param name="cells">cells</param><param name="classes">k</param>
    public static double Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, float gamma, float alpha, float clampEps,
        int cells, int classes)
    {
        Check(logits, labels, cells, classes);
        double sum = 0;
        for (int i = 0; i < cells; i++)
        {
            int t = labels[i];
            if (t < 0) continue;
            for (int j = 0; j < classes; j++) sum += Element(logits[i * classes + j], t == j + 1, gamma, alpha, clampEps, out _);
        }
        return sum;
    }

    /// <summary>Gradient only (unfused backward): dLogits = gradScale·∂loss/∂logits (0 on ignored cells).</summary>
    /// <param name="logits">[cells, k]</param><param name="labels">[cells]</param><param name="gradScale">upstream gradient of the summed loss</param>
    /// <param name="dLogits">[cells, k] written</param>
    /// <param name="gamma">γ</param><param name="alpha">α</param><param name="clampEps">ε</param>
    /// <param name="cells">cells</param><param name="classes">k</param>
    public static void Backward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, float gradScale, Span<float> dLogits,
        float gamma, float alpha, float clampEps, int cells, int classes)
    {
        Check(logits, labels, cells, classes);
        NnKernelHelpers.CheckLength(dLogits.Length, logits.Length, nameof(dLogits));
        for (int i = 0; i < cells; i++)
        {
            int t = labels[i];
            for (int j = 0; j < classes; j++)
            {
                int k = i * classes + j;
                if (t < 0) { dLogits[k] = 0f; continue; }
                Element(logits[k], t == j + 1, gamma, alpha, clampEps, out double g);
                dLogits[k] = (float)(g * gradScale);
            }
        }
    }

    /// <summary>
    /// Fused forward and backward in one pass (sigmoid and logs computed once): returns the loss and writes
    /// dLogits = ∂loss/∂logits (for an upstream gradient of 1; scale it by the upstream gradient later).
    /// </summary>
    /// <param name="logits">[cells, k]</param><param name="labels">[cells]</param><param name="dLogits">[cells, k] written</param>
    /// <param name="gamma">γ</param><param name="alpha">α</param><param name="clampEps">ε</param>
    /// <param name="cells">cells</param><param name="classes">k</param>
    public static unsafe double ForwardWithGrad(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dLogits,
        float gamma, float alpha, float clampEps, int cells, int classes)
    {
        Check(logits, labels, cells, classes);
        NnKernelHelpers.CheckLength(dLogits.Length, logits.Length, nameof(dLogits));
        int chunks = (cells + CellsPerChunk - 1) / CellsPerChunk;
        var partial = new double[chunks];
        fixed (float* px = logits, pd = dLogits)
        fixed (int* pt = labels)
        {
            nint ax = (nint)px, ad = (nint)pd, at = (nint)pt;
            NnKernelHelpers.For(chunks, (long)CellsPerChunk * classes * 16, ck =>
            {
                float* x = (float*)ax; float* d = (float*)ad; int* lab = (int*)at;
                int i0 = ck * CellsPerChunk, i1 = Math.Min(cells, i0 + CellsPerChunk);
                double s = 0;
                for (int i = i0; i < i1; i++)
                {
                    int t = lab[i];
                    for (int j = 0; j < classes; j++)
                    {
                        int k = i * classes + j;
                        if (t < 0) { d[k] = 0f; continue; }
                        s += Element(x[k], t == j + 1, gamma, alpha, clampEps, out double g);
                        d[k] = (float)g;
                    }
                }
                partial[ck] = s;
            });
        }
        double sum = 0;
        foreach (var s in partial) sum += s;
        return sum;
    }

    /// <summary>One element's loss and its derivative with respect to the logit.</summary>
    private static double Element(float x, bool positive, float gamma, float alpha, float clampEps, out double grad)
    {
        float sig = 1f / (1f + MathF.Exp(-x));
        float lo = clampEps, hi = 1f - clampEps;
        bool inside = sig >= lo && sig <= hi;
        double p = inside ? sig : (sig < lo ? lo : hi);
        double dpdx = inside ? (double)sig * (1.0 - sig) : 0.0;
        double q = 1.0 - p;
        double logp = Math.Log(p), logq = Math.Log(q);
        if (positive)
        {
            double qg = Pow(q, gamma), qg1 = Pow(q, gamma - 1);
            grad = -alpha * (-gamma * qg1 * logp + qg / p) * dpdx;
            return -alpha * qg * logp;
        }
        double pg = Pow(p, gamma), pg1 = Pow(p, gamma - 1);
        grad = -(1.0 - alpha) * (gamma * pg1 * logq - pg / q) * dpdx;
        return -(1.0 - alpha) * pg * logq;
    }

    private static double Pow(double v, double e) => e == 2 ? v * v : e == 1 ? v : Math.Pow(v, e);

    /// <summary>
    /// Plain reference (the test oracle), in any floating type: loss and, when dLogits is non-empty,
    /// dLogits = ∂loss/∂logits, straight from the formula with the clamp test done in T.
    /// </summary>
    public static T Reference<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> dLogits, T gamma, T alpha, T clampEps,
        int cells, int classes) where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < cells; i++)
            for (int j = 0; j < classes; j++)
            {
                int k = i * classes + j, t = labels[i];
                T sig = T.One / (T.One + T.Exp(-logits[k]));
                T p = T.Clamp(sig, clampEps, T.One - clampEps);
                T dp = sig >= clampEps && sig <= T.One - clampEps ? sig * (T.One - sig) : T.Zero;
                T pos = t == j + 1 ? T.One : T.Zero;
                T neg = t >= 0 && t != j + 1 ? T.One : T.Zero;
                T term1 = T.Pow(T.One - p, gamma) * T.Log(p);
                T term2 = T.Pow(p, gamma) * T.Log(T.One - p);
                sum += -pos * alpha * term1 - neg * (T.One - alpha) * term2;
                if (dLogits.IsEmpty) continue;
                T dterm1 = -gamma * T.Pow(T.One - p, gamma - T.One) * T.Log(p) + T.Pow(T.One - p, gamma) / p;
                T dterm2 = gamma * T.Pow(p, gamma - T.One) * T.Log(T.One - p) - T.Pow(p, gamma) / (T.One - p);
                dLogits[k] = (-pos * alpha * dterm1 - neg * (T.One - alpha) * dterm2) * dp;
            }
        return sum;
    }

    private static void Check(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int cells, int classes)
    {
        NnKernelHelpers.CheckLength(logits.Length, (long)cells * classes, nameof(logits));
        NnKernelHelpers.CheckLength(labels.Length, cells, nameof(labels));
    }
}
