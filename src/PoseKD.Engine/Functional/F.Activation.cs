using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// In-place ReLU (PyTorch's <c>relu_</c> / <c>ReLU(inplace=True)</c>): overwrites x's data with max(x, 0) and
    /// returns a tensor sharing that data, recorded in the graph. The backward needs only the output's sign
    /// (y &gt; 0 ⇔ x &gt; 0). Safe when x has no other consumer that needs x's old values: e.g. the output of a
    /// convolution, BatchNorm or GroupNorm, whose backward needs their own inputs, not x. Unsafe after ops whose
    /// backward reads their OUTPUT (Exp, Sqrt, Sigmoid, Relu) or when x feeds another op too (there is no version
    /// counter to catch it). Do not use x afterwards.
    /// Throws for a leaf that requires grad (as PyTorch).
    /// </summary>
    public static Tensor ReluInPlace(Tensor x) => LeakyReluInPlace(x, 0f);

    /// <summary>
    /// In-place leaky ReLU (y = x if x &gt; 0 else slope·x; Darknet uses slope 0.1), with the same contract as
    /// <see cref="ReluInPlace"/>. The backward reads the output's sign, which equals the input's only for
    /// slope ≥ 0, so a negative slope is rejected.
    /// </summary>
    public static Tensor LeakyReluInPlace(Tensor x, float negativeSlope = 0.01f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(negativeSlope >= 0))
            throw new ArgumentException($"in-place leaky ReLU needs a non-negative slope (the backward reads the output's sign), got {negativeSlope}", nameof(negativeSlope));
        bool record = GradMode.ShouldRecord(x);
        if (record && x.IsLeaf)
            throw new InvalidOperationException($"a leaf tensor {Shapes.Format(x.Shape)} that requires grad cannot be modified in place");
        ActivationKernels.LeakyRelu(x.Data, x.Data, negativeSlope);
        var y = Tensor.FromArray(x.Data, x.Shape);
        if (record) y.SetGradFn(new LeakyReluInPlaceNode(x, y, negativeSlope));
        return y;
    }

    private sealed class LeakyReluInPlaceNode(Tensor x, Tensor y, float slope) : Node(x)
    {
        private Tensor? _y = y;

        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var dx = Tensor.Zeros(gradOutput.Shape);
            ActivationKernels.LeakyReluBackward(gradOutput.Data, _y!.Data, dx.Data, slope);
            return [dx];
        }

        protected override void ReleaseSaved() => _y = null;
    }
}
