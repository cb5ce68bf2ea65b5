using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>y = x for x ≥ 0, slope·x otherwise (the Darknet blocks use slope 0.1).</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Layer
{
    /// <summary>Slope for negative inputs.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
}
