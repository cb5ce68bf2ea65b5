using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>
/// 2-d convolution layer (NCHW, square kernel, zero padding, groups 1) like <c>torch.nn.Conv2d</c>:
/// parameters <c>weight</c> [out, in, k, k] and optional <c>bias</c> [out]; forward is <see cref="F.Conv2d"/>.
/// Default initialisation is torch's: weight Kaiming-uniform with a = √5 (bound 1/√fan_in), bias U(±1/√fan_in).
/// </summary>
public sealed class Conv2d : Layer
{
    /// <summary>Creates the layer and initialises it from <paramref name="generator"/> (default: <see cref="Init.DefaultGenerator"/>).</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), $"conv2d needs positive channels and kernel, got in {inChannels}, out {outChannels}, k {kernelSize}");
        if (stride < 1 || padding < 0) throw new ArgumentOutOfRangeException(nameof(stride), $"conv2d needs stride ≥ 1 and padding ≥ 0, got {stride}, {padding}");
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize; Stride = stride; Padding = padding;
        Weight = RegisterParameter("weight", Tensor.Zeros(outChannels, inChannels, kernelSize, kernelSize))!;
        Bias = RegisterParameter("bias", bias ? Tensor.Zeros(outChannels) : null);
        ResetParameters(generator ?? Init.DefaultGenerator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel side k.</summary>
    public int KernelSize { get; }
    /// <summary>Stride.</summary>
    public int Stride { get; }
    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }
    /// <summary>Weight [out, in, k, k].</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>torch's default initialisation: Kaiming-uniform(a = √5) weight, bias ~ U(−1/√fan_in, 1/√fan_in).</summary>
    public void ResetParameters(Generator generator)
    {
        Init.KaimingUniform(Weight, generator, Math.Sqrt(5));
        if (Bias is not null)
        {
            double bound = 1 / Math.Sqrt(Init.FanIn(Weight.Shape));
            Init.Uniform(Bias, generator, -bound, bound);
        }
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => F.Conv2d(input, Weight, Bias, Stride, Padding);
}
