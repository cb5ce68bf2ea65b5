namespace PoseKD.Engine.Optim;

/// <summary>
/// Optimizer update rules on spans, with PyTorch 1.13's arithmetic: scalar coefficients are computed
/// in double (as Python floats) and applied in float32, in torch's operation order.
/// </summary>
public static class OptimKernels
{
    /// <summary>
    /// One AdamW step (torch.optim.AdamW, amsgrad = false, maximize = false) for one parameter, after
    /// <paramref name="step"/> has been incremented (step ≥ 1):
    /// p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
    /// p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε).
    /// Bit-exact with torch's CPU kernels: the first moment is the fused m·β1 + g·(1 − β1) of its vectorised
    /// <c>add_(alpha)</c>, the second the fused ((1 − β2)·g)·g + v·β2 of <c>addcmul_</c>, and the update
    /// <c>addcdiv_</c> computes p + (−step·m) / denom (the scalar multiplies the numerator before the division).
    /// </summary>
    /// <param name="grad">Gradient [n].</param>
    /// <param name="param">Parameter [n], updated in place.</param>
    /// <param name="expAvg">First moment m [n], updated in place.</param>
    /// <param name="expAvgSq">Second moment v [n], updated in place.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">β1 (first-moment decay).</param>
    /// <param name="beta2">β2 (second-moment decay).</param>
    /// <param name="eps">ε added to the bias-corrected √v.</param>
    /// <param name="weightDecay">Decoupled weight decay wd.</param>
    /// <param name="step">Step count t of this parameter, already incremented (t ≥ 1).</param>
    public static void AdamWStep(ReadOnlySpan<float> grad, Span<float> param, Span<float> expAvg, Span<float> expAvgSq,
        double lr, double beta1, double beta2, double eps, double weightDecay, long step)
    {
        int n = param.Length;
        if (grad.Length != n || expAvg.Length != n || expAvgSq.Length != n)
            throw new ArgumentException($"AdamW buffers differ in length: param {n}, grad {grad.Length}, exp_avg {expAvg.Length}, exp_avg_sq {expAvgSq.Length}");
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "step count must be ≥ 1 (incremented before the update)");
        float decay = (float)(1 - lr * weightDecay);
        float b1 = (float)beta1, oneMinusB1 = (float)(1 - beta1);
        float b2 = (float)beta2, oneMinusB2 = (float)(1 - beta2);
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        float negStepSize = (float)-(lr / biasCorrection1);
        float bc2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float epsF = (float)eps;
        for (int i = 0; i < n; i++)
        {
            float g = grad[i];
            float p = param[i] * decay;
            float m = MathF.FusedMultiplyAdd(g, oneMinusB1, expAvg[i] * b1);
            float v = MathF.FusedMultiplyAdd(oneMinusB2 * g, g, expAvgSq[i] * b2);
            expAvg[i] = m;
            expAvgSq[i] = v;
            float denom = MathF.Sqrt(v) / bc2Sqrt + epsF;
            param[i] = p + negStepSize * m / denom;
        }
    }

    /// <summary>
    /// One SGD step (torch.optim.SGD, maximize = false) for one parameter:
    /// d = g + wd·p; with momentum μ: b ← d on the first step, else b ← μ·b + (1 − dampening)·d;
    /// d = nesterov ? d + μ·b : b; p ← p − lr·d.
    /// </summary>
    /// <param name="grad">Gradient [n].</param>
    /// <param name="param">Parameter [n], updated in place.</param>
    /// <param name="momentumBuffer">Momentum buffer b [n] (ignored when momentum is 0), updated in place.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum μ (0 disables the buffer).</param>
    /// <param name="dampening">Dampening of the momentum update.</param>
    /// <param name="weightDecay">Coupled (L2) weight decay wd.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="firstStep">True when the momentum buffer does not exist yet (torch initialises it with d).</param>
    public static void SgdStep(ReadOnlySpan<float> grad, Span<float> param, Span<float> momentumBuffer,
        double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool firstStep)
    {
        int n = param.Length;
        if (grad.Length != n || (momentum != 0 && momentumBuffer.Length != n))
            throw new ArgumentException($"SGD buffers differ in length: param {n}, grad {grad.Length}, momentum_buffer {momentumBuffer.Length}");
        float wd = (float)weightDecay, mu = (float)momentum, oneMinusDamp = (float)(1 - dampening), negLr = (float)-lr;
        for (int i = 0; i < n; i++)
        {
            float d = grad[i];
            if (weightDecay != 0) d = MathF.FusedMultiplyAdd(param[i], wd, d);
            if (momentum != 0)
            {
                float b = firstStep ? d : MathF.FusedMultiplyAdd(d, oneMinusDamp, momentumBuffer[i] * mu);
                momentumBuffer[i] = b;
                d = nesterov ? MathF.FusedMultiplyAdd(b, mu, d) : b;
            }
            param[i] = MathF.FusedMultiplyAdd(d, negLr, param[i]);
        }
    }

    /// <summary>Euclidean norm √Σx² of <paramref name="x"/>, accumulated in double, returned as float32.</summary>
    public static float Norm2(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return (float)Math.Sqrt(s);
    }
}
