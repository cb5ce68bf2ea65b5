using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>2-d max pooling like <c>torch.nn.MaxPool2d(kernel, stride, padding)</c> (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Layer
{
    /// <summary>Window side.</summary>
    public int KernelSize { get; } = kernelSize;
    /// <summary>Stride.</summary>
    public int Stride { get; } = stride ?? kernelSize;
    /// <summary>Padding (−∞) on each side.</summary>
    public int Padding { get; } = padding;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding);
}
