using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// The two extra pyramid levels: P6 = p6(C) and P7 = p7(ReLU(P6)), both 3×3 stride-2 convs (children <c>p6</c>,
/// <c>p7</c>), where C is the last backbone output. Kaiming-uniform (a = 1), zero bias.
/// </summary>
public sealed class FpnTopBlocks : Module
{
    /// <summary>Builds the block from <paramref name="inChannel"/> (the last backbone output's channels) to <paramref name="outChannel"/>.</summary>
    public FpnTopBlocks(int inChannel, int outChannel, Generator generator)
    {
        P6 = RegisterModule("p6", Fpn.KaimingA1(new Conv2d(inChannel, outChannel, 3, 2, 1, generator: generator), generator));
        P7 = RegisterModule("p7", Fpn.KaimingA1(new Conv2d(outChannel, outChannel, 3, 2, 1, generator: generator), generator));
    }

    /// <summary>The stride-2 conv giving P6.</summary>
    public Conv2d P6 { get; }

    /// <summary>The stride-2 conv giving P7 from ReLU(P6).</summary>
    public Conv2d P7 { get; }

    /// <summary>(P6, P7) from the last backbone output.</summary>
    public (Tensor P6, Tensor P7) Forward(Tensor lastBackboneOutput)
    {
        var p6 = P6.Forward(lastBackboneOutput);
        var p7 = P7.Forward(F.Relu(p6));
        return (p6, p7);
    }
}
