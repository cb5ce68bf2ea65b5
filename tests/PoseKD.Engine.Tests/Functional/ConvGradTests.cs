using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.Engine.Tests.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class ConvGradTests
{
    private static Tensor U(ulong seed, params int[] shape) => Uniform(seed, -1f, 1f, shape);

    [Theory]
    [InlineData(2, 2, 5, 4, 3, 3, 1, 1, true)]
    [InlineData(2, 2, 5, 4, 3, 3, 1, 0, false)]
    [InlineData(1, 3, 7, 6, 2, 3, 2, 1, true)]
    [InlineData(2, 3, 4, 5, 2, 1, 1, 0, true)]
    [InlineData(2, 2, 5, 5, 2, 1, 2, 0, false)]
    public void Conv2d_Configs_MatchFiniteDifferences(int n, int c, int h, int w, int o, int k, int stride, int pad, bool bias)
    {
        var inputs = bias
            ? new[] { U(1, n, c, h, w), U(2, o, c, k, k), U(3, o) }
            : new[] { U(1, n, c, h, w), U(2, o, c, k, k) };
        Check(t => F.Conv2d(t[0], t[1], bias ? t[2] : null, stride, pad), inputs);
    }

    [Fact]
    public void Conv2d_GoldenCases_MatchTorchThroughAutograd()
    {
        foreach (var g in Conv2dGoldenTests.LoadCases())
        {
            var s = g.Shape;
            var x = Tensor.FromArray((float[])g.X.Clone(), s.N, s.InChannels, s.Height, s.Width);
            var w = Tensor.FromArray((float[])g.W.Clone(), s.OutChannels, s.InChannels, s.KernelH, s.KernelW);
            var b = g.HasBias ? Tensor.FromArray((float[])g.B.Clone(), s.OutChannels) : null;
            x.RequiresGrad = true; w.RequiresGrad = true;
            if (b is not null) b.RequiresGrad = true;
            var y = F.Conv2d(x, w, b, s.Stride, s.Padding);
            Assert.Equal(new[] { s.N, s.OutChannels, s.OutHeight, s.OutWidth }, y.Shape);
            Numeric.AssertClose(g.Y, y.Data, 1e-5, 1e-4, $"{g.Name} y");
            y.Backward(Tensor.FromArray((float[])g.Gy.Clone(), y.Shape));
            Numeric.AssertClose(g.Gx, x.Grad!.Data, 1e-5, 1e-4, $"{g.Name} grad_input");
            Numeric.AssertClose(g.Gw, w.Grad!.Data, 1e-4, 1e-4, $"{g.Name} grad_weight");
            if (b is not null) Numeric.AssertClose(g.Gb, b.Grad!.Data, 1e-4, 1e-4, $"{g.Name} grad_bias");
        }
    }

    [Fact]
    public void Conv2d_OnlyBiasRequiresGrad_GivesBiasGradient()
    {
        var x = U(4, 2, 3, 4, 4);
        var w = U(5, 2, 3, 3, 3);
        var b = U(6, 2);
        b.RequiresGrad = true;
        var y = F.Conv2d(x, w, b, 1, 1);
        var gy = U(7, y.Shape);
        y.Backward(gy);
        var expected = new float[2];
        for (int i = 0; i < gy.Data.Length; i++) expected[i / 16 % 2] += gy.Data[i];
        Numeric.AssertClose(expected, b.Grad!.Data, 1e-5, 1e-5);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Conv2d_ChannelMismatch_MessageNamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(4, 2, 3, 3), null));
        Assert.Contains("[1, 3, 5, 5]", e.Message);
        Assert.Contains("[4, 2, 3, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 2, 5, 5), Tensor.Zeros(4, 2, 3, 3), Tensor.Zeros(3)));
        Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 2, 2, 2), Tensor.Zeros(4, 2, 3, 3), null));
    }
}
