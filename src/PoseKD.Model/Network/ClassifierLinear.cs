using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// A fully connected layer y = x·Wᵀ + b (keys <c>weight</c> [out, in], <c>bias</c> [out]) initialised like
/// PyTorch's <c>nn.Linear</c> (W ~ Kaiming-uniform with a = √5, b ~ U(±1/√in)). Darknet-53's ImageNet
/// classifier; PoseNet keeps it for checkpoint compatibility.
/// </summary>
public sealed class ClassifierLinear : Layer
{
    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    public ClassifierLinear(int inFeatures, int outFeatures, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"linear layer needs positive sizes, got {inFeatures} → {outFeatures}");
        Weight = RegisterParameter("weight", Tensor.Zeros(outFeatures, inFeatures))!;
        Bias = RegisterParameter("bias", Tensor.Zeros(outFeatures))!;
        Init.KaimingUniform(Weight, generator, Math.Sqrt(5));
        double bound = 1 / Math.Sqrt(inFeatures);
        Init.Uniform(Bias, generator, -bound, bound);
    }

    /// <summary>Weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out].</summary>
    public Tensor Bias { get; }

    /// <summary>x [B, in] → [B, out].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Shape[1] != Weight.Shape[1])
            throw new ArgumentException($"linear layer expects [B, {Weight.Shape[1]}], got {Shapes.Format(input.Shape)}", nameof(input));
        return F.Add(F.Matmul(input, F.Transpose(Weight, 0, 1)), Bias);
    }
}
