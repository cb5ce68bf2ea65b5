using PoseKD.Engine.Nn;

namespace PoseKD.Inference.Onnx;

/// <summary>
/// Folds an inference-mode BatchNorm into the convolution before it: with s = γ/√(σ² + ε),
/// W'[o] = s[o]·W[o] and b'[o] = s[o]·(b[o] − μ[o]) + β[o] (computed in double, stored as float).
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>The folded weight [out, in, k, k] and bias [out] of <paramref name="conv"/> followed by <paramref name="bn"/>.</summary>
    public static (float[] Weight, float[] Bias) Fold(Conv2d conv, BatchNorm2d bn)
    {
        if (bn.NumFeatures != conv.OutChannels)
            throw new ArgumentException($"cannot fold a BatchNorm of {bn.NumFeatures} channels into a conv with {conv.OutChannels} output channels");
        int o = conv.OutChannels, per = conv.Weight.Numel / o;
        var w = new float[conv.Weight.Numel];
        var b = new float[o];
        var src = conv.Weight.Data;
        for (int c = 0; c < o; c++)
        {
            double s = bn.Weight.Data[c] / Math.Sqrt(bn.RunningVar.Data[c] + (double)bn.Eps);
            for (int i = 0; i < per; i++) w[c * per + i] = (float)(s * src[c * per + i]);
            double bias = conv.Bias?.Data[c] ?? 0.0;
            b[c] = (float)(s * (bias - bn.RunningMean.Data[c]) + bn.Bias.Data[c]);
        }
        return (w, b);
    }
}
