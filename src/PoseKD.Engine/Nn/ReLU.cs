using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>y = max(x, 0).</summary>
public sealed class ReLU : Layer
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => F.Relu(input);
}
