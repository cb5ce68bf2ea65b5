using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// 2-d max pooling of x [n, c, h, w] with a square kernel, as <c>torch.nn.functional.max_pool2d</c>
    /// (floor mode, dilation 1, −∞ padding): output [n, c, ⌊(h+2p−k)/s⌋+1, ⌊(w+2p−k)/s⌋+1]. Ties keep the first
    /// maximum in scan order; the gradient goes to that argmax.
    /// </summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"max-pool 2d expects an [n, c, h, w] input, got {Shapes.Format(x.Shape)}", nameof(x));
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int ho = PoolKernels.MaxPool2dOutputSize(h, kernel, stride, padding), wo = PoolKernels.MaxPool2dOutputSize(w, kernel, stride, padding);
        var y = Tensor.Empty(n, c, ho, wo);
        var indices = new int[y.Numel];
        PoolKernels.MaxPool2dForward(x.Data, y.Data, indices, n, c, h, w, kernel, kernel, stride, stride, padding, padding);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new MaxPool2dNode(x, indices, ho, wo));
        return y;
    }

    /// <summary>
    /// Nearest-neighbour upsampling of x [n, c, h, w] by an integer factor, as
    /// <c>torch.nn.functional.interpolate(x, scale_factor=scale, mode='nearest')</c>: y[.., i, j] = x[.., ⌊i/s⌋, ⌊j/s⌋];
    /// the gradient sums each s×s block.
    /// </summary>
    public static Tensor UpsampleNearest(Tensor x, int scale)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"nearest upsampling expects an [n, c, h, w] input, got {Shapes.Format(x.Shape)}", nameof(x));
        if (scale < 1) throw new ArgumentException($"upsample scale {scale} must be a positive integer", nameof(scale));
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var y = Tensor.Empty(n, c, h * scale, w * scale);
        UpsampleKernels.NearestForward(x.Data, y.Data, n, c, h, w, scale);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new UpsampleNearestNode(x, scale));
        return y;
    }

    private sealed class MaxPool2dNode(Tensor x, int[] indices, int ho, int wo) : Node(x)
    {
        private int[]? _indices = indices;

        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var x = Inputs[0];
            var dx = Tensor.Zeros(x.Shape);
            PoolKernels.MaxPool2dBackward(gradOutput.Data, _indices, dx.Data, x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], ho, wo);
            return [dx];
        }

        protected override void ReleaseSaved() => _indices = null;
    }

    private sealed class UpsampleNearestNode(Tensor x, int scale) : Node(x)
    {
        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var x = Inputs[0];
            var dx = Tensor.Zeros(x.Shape);
            UpsampleKernels.NearestBackward(gradOutput.Data, dx.Data, x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], scale);
            return [dx];
        }
    }
}
