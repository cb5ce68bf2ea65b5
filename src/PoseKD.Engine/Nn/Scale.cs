using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>A learnable scalar multiplier y = s·x; the parameter is <c>scale</c>, shape [1] (the head's per-level scales).</summary>
public sealed class Scale : Layer
{
    /// <summary>Creates the scale with initial value <paramref name="initValue"/>.</summary>
    public Scale(float initValue = 1f) => Value = RegisterParameter("scale", Tensor.FromArray([initValue], 1))!;

    /// <summary>The parameter s, shape [1].</summary>
    public Tensor Value { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input * Value;
}
