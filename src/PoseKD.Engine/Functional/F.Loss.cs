using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Smooth-L1 loss, as <c>torch.nn.functional.smooth_l1_loss</c>: with d = x − target,
    /// ℓ = 0.5·d²/β if |d| &lt; β else |d| − 0.5·β (β = 0: |d|), reduced by <paramref name="reduction"/>
    /// (None keeps x's shape; Sum and Mean give a scalar). Differentiable in both x and target (same shape).
    /// </summary>
    public static Tensor SmoothL1(Tensor x, Tensor target, float beta = 1f, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(target);
        if (!x.Shape.AsSpan().SequenceEqual(target.Shape))
            throw new ArgumentException($"smooth-L1 input {Shapes.Format(x.Shape)} and target {Shapes.Format(target.Shape)} must have the same shape");
        if (!(beta >= 0)) throw new ArgumentException($"smooth-L1 beta {beta} must be non-negative", nameof(beta));
        Tensor y;
        if (reduction == Reduction.None)
        {
            y = Tensor.Zeros(x.Shape);
            SmoothL1Kernels.Forward(x.Data, target.Data, y.Data, beta);
        }
        else
        {
            double sum = SmoothL1Kernels.ForwardSum(x.Data, target.Data, beta);
            y = Tensor.Scalar((float)(reduction == Reduction.Mean ? sum / x.Numel : sum));
        }
        if (GradMode.ShouldRecord(x, target)) y.SetGradFn(new SmoothL1Node(x, target, beta, reduction));
        return y;
    }

    /// <summary>
    /// Sigmoid focal loss of the class branch (docs/method.md §4; Lin et al., ICCV 2017), summed over the non-ignored
    /// cells: logits [cells, k], labels[cell] ∈ {−1 ignored, 0 background, j+1 = class column j}; with
    /// p = clamp(sigmoid(x), ε, 1−ε), loss = Σ [t=j+1]·(−α(1−p)^γ log p) + [t≥0, t≠j+1]·(−(1−α)p^γ log(1−p)).
    /// The gradient passes the clamp only where ε ≤ sigmoid(x) ≤ 1−ε (as PyTorch autograd). Forward and
    /// gradient are computed in one fused pass when the graph is recorded. Returns a scalar.
    /// </summary>
    public static Tensor SigmoidFocalLoss(Tensor logits, ReadOnlySpan<int> labels, float gamma = 2f, float alpha = 0.25f, float clampEps = 1e-4f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2) throw new ArgumentException($"focal loss expects [cells, classes] logits, got {Shapes.Format(logits.Shape)}", nameof(logits));
        int cells = logits.Shape[0], k = logits.Shape[1];
        if (labels.Length != cells)
            throw new ArgumentException($"focal loss labels have {labels.Length} entries for logits {Shapes.Format(logits.Shape)}", nameof(labels));
        if (!(clampEps > 0 && clampEps < 0.5f)) throw new ArgumentException($"focal loss clamp epsilon {clampEps} must lie in (0, 0.5)", nameof(clampEps));
        if (GradMode.ShouldRecord(logits))
        {
            var grad = BufferArena.Allocate(logits.Numel);
            double loss = FocalLossKernels.ForwardWithGrad(logits.Data, labels, grad, gamma, alpha, clampEps, cells, k);
            return Tensor.Scalar((float)loss).SetGradFn(new FocalLossNode(logits, grad));
        }
        return Tensor.Scalar((float)FocalLossKernels.Forward(logits.Data, labels, gamma, alpha, clampEps, cells, k));
    }

    private sealed class SmoothL1Node(Tensor x, Tensor target, float beta, Reduction reduction) : Node(x, target)
    {
        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var x = Inputs[0];
            var t = Inputs[1];
            Tensor? dx = NeedsGrad(0) ? Tensor.Zeros(x.Shape) : null;
            Tensor? dt = NeedsGrad(1) ? Tensor.Zeros(x.Shape) : null;
            Span<float> dxs = dx is null ? default : dx.Data, dts = dt is null ? default : dt.Data;
            if (reduction == Reduction.None)
                SmoothL1Kernels.Backward(x.Data, t.Data, gradOutput.Data, dxs, dts, beta);
            else
            {
                float g = gradOutput.Data[0];
                SmoothL1Kernels.BackwardReduced(x.Data, t.Data, reduction == Reduction.Mean ? g / x.Numel : g, dxs, dts, beta);
            }
            return [dx, dt];
        }
    }

    private sealed class FocalLossNode(Tensor logits, float[] grad) : Node(logits)
    {
        private float[]? _grad = grad;

        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var d = Tensor.Zeros(Inputs[0].Shape);
            System.Numerics.Tensors.TensorPrimitives.Multiply(_grad, gradOutput.Data[0], d.Data);
            return [d];
        }

        protected override void ReleaseSaved() => _grad = null;
    }
}
