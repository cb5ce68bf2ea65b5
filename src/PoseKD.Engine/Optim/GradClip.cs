using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Optim;

/// <summary>Gradient clipping as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm/(‖g‖ + 1e-6)) where ‖g‖ = √Σ‖g_i‖² is the 2-norm over every
    /// gradient together (parameters without a gradient are ignored); returns ‖g‖ (before clipping).
    /// As torch, the scale is always applied (a factor of exactly 1 when below the limit).
    /// </summary>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0f;
        double sumSq = 0;
        foreach (var g in grads)
        {
            double n = OptimKernels.Norm2(g.Data);
            sumSq += n * n;
        }
        float total = (float)Math.Sqrt(sumSq);
        float coef = MathF.Min((float)maxNorm / (total + 1e-6f), 1f);
        foreach (var g in grads)
        {
            var d = g.Data;
            for (int i = 0; i < d.Length; i++) d[i] *= coef;
        }
        return total;
    }
}
