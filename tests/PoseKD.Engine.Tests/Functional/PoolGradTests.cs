using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.GradCheck;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Functional;

public class PoolGradTests
{
    /// <summary>Distinct values 0.1 apart in random order: no ties within the finite-difference step.</summary>
    private static Tensor Grid(ulong seed, params int[] shape)
    {
        int n = Shapes.Numel(shape);
        var p = new Generator(seed).Permutation(n);
        return Tensor.FromArray(p.Select(k => (k - n / 2) * 0.1f).ToArray(), shape);
    }

    [Theory]
    [InlineData(2, 2, 0, 6, 6)]
    [InlineData(2, 2, 0, 5, 7)]
    [InlineData(3, 2, 1, 5, 6)]
    [InlineData(3, 1, 1, 4, 4)]
    public void MaxPool2d_MatchesFiniteDifferences(int k, int s, int p, int h, int w)
        => Check(t => F.MaxPool2d(t, k, s, p), Grid((ulong)(h * w + k), 2, 2, h, w), eps: 1e-3);

    [Fact]
    public void MaxPool2d_MatchesPyTorch()
    {
        var (g, cases) = Golden("maxpool");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w");
            var x = Tensor.FromArray((float[])g.Get($"{p}.x").Clone(), n, c, h, w);
            x.RequiresGrad = true;
            var y = F.MaxPool2d(x, cs.Int("kernel"), cs.Int("stride"), cs.Int("padding"));
            y.Backward(Tensor.FromArray(g.Get($"{p}.dy"), y.Shape));
            Numeric.AssertClose(g.Get($"{p}.y"), y.Data, 0, 0, $"{p}.y");
            Numeric.AssertClose(g.Get($"{p}.dx"), x.Grad!.Data, 1e-6, 1e-6, $"{p}.dx");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void UpsampleNearest_MatchesFiniteDifferences(int scale)
        => Check(t => F.UpsampleNearest(t, scale), Uniform(20, -2f, 2f, 2, 2, 3, 2));

    [Fact]
    public void UpsampleNearest_MatchesPyTorch()
    {
        var (g, cases) = Golden("upsample");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w");
            var x = Tensor.FromArray((float[])g.Get($"{p}.x").Clone(), n, c, h, w);
            x.RequiresGrad = true;
            var y = F.UpsampleNearest(x, cs.Int("scale"));
            y.Backward(Tensor.FromArray(g.Get($"{p}.dy"), y.Shape));
            Numeric.AssertClose(g.Get($"{p}.y"), y.Data, 0, 0, $"{p}.y");
            Numeric.AssertClose(g.Get($"{p}.dx"), x.Grad!.Data, 1e-6, 1e-5, $"{p}.dx");
        }
    }

    [Fact]
    public void PoolAndUpsample_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(2, 4, 4), 2, 2));
        Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), 2, 2, 2));
        Assert.Throws<ArgumentException>(() => F.UpsampleNearest(Tensor.Zeros(1, 1, 2, 2), 0));
    }
}
