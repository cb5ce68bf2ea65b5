using PoseKD.Engine.Ot;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Tests.Ot;

public sealed class SinkhornKernelsTests
{
    [Theory]
    [InlineData(1e-6)]
    [InlineData(0.3)]
    public void Softmin_Vectorised_MatchesReferenceLoop(double eps)
    {
        var gen = new Generator(11);
        int n = 7, m = 13;
        var c = Enumerable.Range(0, n * m).Select(_ => (double)gen.NextFloat() * 0.2).ToArray();
        var h = Enumerable.Range(0, m).Select(_ => (double)gen.NextNormal() * 3).ToArray();
        var expected = new double[n];
        var actual = new double[n];
        SinkhornKernels.Softmin(c, h, expected, eps, 0.9, n, m);
        SinkhornKernels.Softmin(c, h, actual, new double[n * m], eps, 0.9, n, m);
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], actual[i], Math.Abs(expected[i]) * 1e-13 + 1e-300);
    }

    [Fact]
    public void Dampening_BalancedAndUnbalanced()
    {
        Assert.Equal(1.0, SinkhornKernels.Dampening(0.1, double.PositiveInfinity));
        Assert.Equal(1.0 / 1.4, SinkhornKernels.Dampening(0.1, 0.25), 15);
    }

    [Fact]
    public void Cost_P1AndP2()
    {
        float[] u = [0, 0], v = [3, 4];
        Assert.Equal(5.0, SinkhornKernels.Cost(u, v, 1), 12);
        Assert.Equal(12.5, SinkhornKernels.Cost(u, v, 2), 12);
    }
}
