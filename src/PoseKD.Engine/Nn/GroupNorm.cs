using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>
/// Group normalisation like <c>torch.nn.GroupNorm(numGroups, numChannels, eps, affine=True)</c>: per sample
/// and group of c/G channels, y = (x − μ)/√(σ² + ε)·γ + β; parameters <c>weight</c> (ones), <c>bias</c> (zeros).
/// </summary>
public sealed class GroupNorm : Layer
{
    /// <summary>Creates the layer.</summary>
    public GroupNorm(int numGroups, int numChannels, float eps = 1e-5f)
    {
        if (numGroups <= 0 || numChannels % numGroups != 0)
            throw new ArgumentException($"group count {numGroups} must be positive and divide the channel count {numChannels}");
        NumGroups = numGroups; NumChannels = numChannels; Eps = eps;
        Weight = RegisterParameter("weight", Tensor.Ones(numChannels))!;
        Bias = RegisterParameter("bias", Tensor.Zeros(numChannels))!;
    }

    /// <summary>Groups G.</summary>
    public int NumGroups { get; }
    /// <summary>Channels c.</summary>
    public int NumChannels { get; }
    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }
    /// <summary>γ [c].</summary>
    public Tensor Weight { get; }
    /// <summary>β [c].</summary>
    public Tensor Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => F.GroupNorm(input, NumGroups, Weight, Bias, Eps);
}
