using System.Numerics;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Smooth-L1 (Huber-like) loss, elementwise, as PyTorch's <c>smooth_l1_loss</c>: with d = x − target,
/// ℓ(d) = 0.5·d²/β if |d| &lt; β, else |d| − 0.5·β (β = 0 gives |d|). Gradient: ∂ℓ/∂x = d/β if |d| &lt; β, else sign(d)
/// (sign(0) = 0), and ∂ℓ/∂target = −∂ℓ/∂x. Backward kernels write their outputs; either may be empty to skip it.
/// </summary>
public static class SmoothL1Kernels
{
    /// <summary>Elementwise loss (reduction "none").</summary>
    /// <param name="x">[count]</param><param name="target">[count]</param><param name="loss">[count] output</param>
    /// <param name="beta">β ≥ 0</param>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> target, Span<float> loss, float beta)
    {
        Check(x, target, beta);
        NnKernelHelpers.CheckLength(loss.Length, x.Length, nameof(loss));
        for (int i = 0; i < x.Length; i++) loss[i] = Loss(x[i] - target[i], beta);
    }

    /// <summary>Σ ℓ(x − target), accumulated in double (reductions "sum" and, divided by count, "mean").</summary>
    /// <param name="x">[count]</param><param name="target">[count]</param><param name="beta">β ≥ 0</param>
    public static double ForwardSum(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float beta)
    {
        Check(x, target, beta);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Loss(x[i] - target[i], beta);
        return s;
    }

    /// <summary>Backward of the elementwise loss: dx[i] = ℓ'(d_i)·dLoss[i], dTarget[i] = −dx[i].</summary>
    /// <param name="x">[count]</param><param name="target">[count]</param><param name="dLoss">[count] upstream gradient</param>
    /// <param name="dx">[count] written, or empty</param><param name="dTarget">[count] written, or empty</param>
    /// <param name="beta">β ≥ 0</param>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> target, ReadOnlySpan<float> dLoss,
        Span<float> dx, Span<float> dTarget, float beta)
    {
        Check(x, target, beta);
        NnKernelHelpers.CheckLength(dLoss.Length, x.Length, nameof(dLoss));
        if (!dx.IsEmpty) NnKernelHelpers.CheckLength(dx.Length, x.Length, nameof(dx));
        if (!dTarget.IsEmpty) NnKernelHelpers.CheckLength(dTarget.Length, x.Length, nameof(dTarget));
        for (int i = 0; i < x.Length; i++)
        {
            float g = Derivative(x[i] - target[i], beta) * dLoss[i];
            if (!dx.IsEmpty) dx[i] = g;
            if (!dTarget.IsEmpty) dTarget[i] = -g;
        }
    }

    /// <summary>Backward of a reduced loss: dx[i] = ℓ'(d_i)·gradScale (gradScale = upstream, or upstream/count for "mean").</summary>
    /// <param name="x">[count]</param><param name="target">[count]</param><param name="gradScale">upstream scalar gradient</param>
    /// <param name="dx">[count] written, or empty</param><param name="dTarget">[count] written, or empty</param>
    /// <param name="beta">β ≥ 0</param>
    public static void BackwardReduced(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float gradScale,
        Span<float> dx, Span<float> dTarget, float beta)
    {
        Check(x, target, beta);
        if (!dx.IsEmpty) NnKernelHelpers.CheckLength(dx.Length, x.Length, nameof(dx));
        if (!dTarget.IsEmpty) NnKernelHelpers.CheckLength(dTarget.Length, x.Length, nameof(dTarget));
        for (int i = 0; i < x.Length; i++)
        {
            float g = Derivative(x[i] - target[i], beta) * gradScale;
            if (!dx.IsEmpty) dx[i] = g;
            if (!dTarget.IsEmpty) dTarget[i] = -g;
        }
    }

    private static float Loss(float d, float beta)
    {
        float a = MathF.Abs(d);
        return a < beta ? 0.5f * d * d / beta : a - 0.5f * beta;
    }

    private static float Derivative(float d, float beta)
    {
        if (d <= -beta) return d == 0f ? 0f : -1f;
        if (d >= beta) return d == 0f ? 0f : 1f;
        return d / beta;
    }

    /// <summary>Plain reference of the elementwise loss, in any floating type.</summary>
    public static void ForwardReference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> target, Span<T> loss, T beta) where T : IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5);
        for (int i = 0; i < x.Length; i++)
        {
            T d = x[i] - target[i];
            loss[i] = T.Abs(d) < beta ? half * d * d / beta : T.Abs(d) - half * beta;
        }
    }

    /// <summary>Plain reference of <see cref="Backward"/>.</summary>
    public static void BackwardReference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> target, ReadOnlySpan<T> dLoss,
        Span<T> dx, Span<T> dTarget, T beta) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T d = x[i] - target[i];
            T g = (T.Abs(d) < beta ? d / beta : T.CreateChecked(T.Sign(d))) * dLoss[i];
            if (!dx.IsEmpty) dx[i] = g;
            if (!dTarget.IsEmpty) dTarget[i] = -g;
        }
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float beta)
    {
        if (!(beta >= 0)) throw new ArgumentException($"smooth-L1 beta {beta} must be non-negative", nameof(beta));
        NnKernelHelpers.CheckLength(target.Length, x.Length, nameof(target));
    }
}
