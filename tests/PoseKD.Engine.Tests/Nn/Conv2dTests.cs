using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Tests.Nn;

public class Conv2dTests
{
    [Fact]
    public void Conv2d_DefaultInit_HasTorchBounds()
    {
        var conv = new Conv2d(16, 8, 3, generator: new Generator(4));
        double bound = 1 / Math.Sqrt(16 * 9);
        Assert.All(conv.Weight.Data, v => Assert.InRange(v, -bound, bound));
        Assert.All(conv.Bias!.Data, v => Assert.InRange(v, -bound, bound));
        Assert.True(conv.Weight.Data.Max() > 0.9 * bound);
        Assert.Equal(["weight", "bias"], conv.StateDictKeys());
        Assert.Equal(["weight"], new Conv2d(2, 2, 1, bias: false).StateDictKeys());
    }

    [Fact]
    public void Conv2d_Stride2Padding1_OutputShape()
    {
        var y = new Conv2d(3, 5, 3, stride: 2, padding: 1).Forward(Tensor.Zeros(2, 3, 9, 9));
        Assert.Equal([2, 5, 5, 5], y.Shape);
    }

    [Fact]
    public void Conv2d_WithoutGenerator_DrawsSuccessiveValuesFromTheDefaultGenerator()
    {
        var a = new Conv2d(2, 2, 3);
        var b = new Conv2d(2, 2, 3);
        Assert.NotEqual(a.Weight.Data, b.Weight.Data);
    }
}
