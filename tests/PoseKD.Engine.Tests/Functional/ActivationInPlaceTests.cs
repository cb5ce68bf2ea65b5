using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class ActivationInPlaceTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void LeakyReluInPlace_AfterGroupNorm_MatchesFiniteDifferences(float slope)
    {
        var x = Uniform(50, -2f, 2f, 2, 4, 3, 3);
        var w = Uniform(51, 0.5f, 1.5f, 4);
        Check(t => F.LeakyReluInPlace(F.GroupNorm(t[0], 2, t[1], null), slope), [x, w], eps: 1e-3);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void LeakyReluInPlace_SameValuesAndGradientsAsOutOfPlace(float slope)
    {
        var x1 = Uniform(52, -2f, 2f, 2, 3, 4, 4); x1.RequiresGrad = true;
        var x2 = Uniform(52, -2f, 2f, 2, 3, 4, 4); x2.RequiresGrad = true;
        var seed = Uniform(53, -1f, 1f, 2, 3, 4, 4);
        var pre = F.Mul(x1, 1.5f);
        var y1 = F.LeakyReluInPlace(pre, slope);
        Assert.Same(pre.Data, y1.Data);
        var y2 = slope == 0f ? F.Relu(F.Mul(x2, 1.5f)) : F.LeakyRelu(F.Mul(x2, 1.5f), slope);
        Numeric.AssertClose(y2.Data, y1.Data, 0, 0, "y");
        y1.Backward(seed);
        y2.Backward(seed);
        Numeric.AssertClose(x2.Grad!.Data, x1.Grad!.Data, 0, 0, "dx");
    }

    [Fact]
    public void LeakyReluInPlace_LeafRequiringGrad_Throws()
    {
        var x = Tensor.Zeros(3);
        x.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => F.LeakyReluInPlace(x, 0.1f));
    }

    [Fact]
    public void LeakyReluInPlace_NegativeSlope_Throws()
        => Assert.Throws<ArgumentException>(() => F.LeakyReluInPlace(Tensor.Zeros(3), -0.5f));

    [Fact]
    public void ReluInPlace_PlainTensor_OverwritesData()
    {
        var x = Tensor.FromArray(new float[] { -1f, 0.5f, -0.2f, 3f }, 4);
        var y = F.ReluInPlace(x);
        Numeric.AssertClose(new float[] { 0f, 0.5f, 0f, 3f }, x.Data, 0, 0, "x");
        Assert.Same(x.Data, y.Data);
    }
}
