using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// Darknet-53's residual unit: x + conv2(conv1(x)), conv1 a 1×1 <see cref="ConvBlock"/> to half the width,
/// conv2 a 3×3 block back to the full width (children <c>conv1</c>, <c>conv2</c>).
/// </summary>
public sealed class DarkUnit : Layer
{
    /// <summary>A unit of width <paramref name="channels"/> (even).</summary>
    public DarkUnit(int channels, Generator generator)
    {
        if (channels <= 0 || channels % 2 != 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "a Darknet residual unit needs an even, positive width");
        Conv1 = RegisterModule("conv1", new ConvBlock(channels, channels / 2, 1, 1, generator));
        Conv2 = RegisterModule("conv2", new ConvBlock(channels / 2, channels, 3, 1, generator));
    }

    /// <summary>The 1×1 half-width block.</summary>
    public ConvBlock Conv1 { get; }

    /// <summary>The 3×3 full-width block.</summary>
    public ConvBlock Conv2 { get; }

    /// <summary>x + conv2(conv1(x)).</summary>
    public override Tensor Forward(Tensor input) => F.Add(Conv2.Forward(Conv1.Forward(input)), input);
}
