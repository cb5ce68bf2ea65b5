using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Tests.Nn;

public class InitTests
{
    [Fact]
    public void FanIn_ConvWeight_IsInputChannelsTimesKernelArea()
        => Assert.Equal(16 * 9, Init.FanIn([32, 16, 3, 3]));

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(2.2360679774997898)]
    public void KaimingUniform_LargeWeight_HasTorchBoundAndUniformMoments(double a)
    {
        var w = Tensor.Zeros(64, 32, 3, 3);
        Init.KaimingUniform(w, new Generator(1), a);
        double bound = Math.Sqrt(2.0 / (1 + a * a)) * Math.Sqrt(3.0 / (32 * 9));
        Assert.All(w.Data, v => Assert.InRange(v, -bound, bound));
        double mean = w.Data.Average(v => (double)v);
        double var = w.Data.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.02 * bound, 0.02 * bound);
        Assert.InRange(var, 0.97 * bound * bound / 3, 1.03 * bound * bound / 3);
        Assert.True(w.Data.Max() > 0.99 * bound && w.Data.Min() < -0.99 * bound);
    }

    [Fact]
    public void KaimingUniform_SameSeed_SameValues()
    {
        var a = Tensor.Zeros(4, 3, 3, 3);
        var b = Tensor.Zeros(4, 3, 3, 3);
        Init.KaimingUniform(a, new Generator(7));
        Init.KaimingUniform(b, new Generator(7));
        Assert.Equal(a.Data, b.Data);
    }

    [Fact]
    public void Normal_Std001_HasRequestedMoments()
    {
        var w = Tensor.Zeros(200, 100);
        Init.Normal(w, new Generator(3), 0, 0.01);
        double mean = w.Data.Average(v => (double)v);
        double std = Math.Sqrt(w.Data.Average(v => (double)v * v) - mean * mean);
        Assert.InRange(mean, -3e-4, 3e-4);
        Assert.InRange(std, 0.0098, 0.0102);
    }

    [Fact]
    public void Constant_FillsEveryElement()
    {
        var w = Tensor.Zeros(5);
        Init.Constant(w, -4.59512f);
        Assert.All(w.Data, v => Assert.Equal(-4.59512f, v));
    }
}
