using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class PoolKernelsTests
{
    [Fact]
    public void MaxPool2d_TiesOddSizesPadding_MatchPyTorch()
    {
        var (g, cases) = Golden("maxpool");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w"), k = cs.Int("kernel"), s = cs.Int("stride"), pad = cs.Int("padding");
            int ho = PoolKernels.MaxPool2dOutputSize(h, k, s, pad), wo = PoolKernels.MaxPool2dOutputSize(w, k, s, pad);
            var y = new float[n * c * ho * wo]; var idx = new int[y.Length];
            PoolKernels.MaxPool2dForward(g.Get($"{p}.x"), y, idx, n, c, h, w, k, k, s, s, pad, pad);
            Numeric.AssertClose(g.Get($"{p}.y"), y, 0, 0, $"{p}.y");
            Assert.Equal(g.GetInts($"{p}.indices"), idx);
            var dx = new float[n * c * h * w];
            PoolKernels.MaxPool2dBackward(g.Get($"{p}.dy"), idx, dx, n, c, h, w, ho, wo);
            Numeric.AssertClose(g.Get($"{p}.dx"), dx, 1e-6, 1e-6, $"{p}.dx");
        }
    }

    [Theory]
    [InlineData(2, 3, 8, 8, 2, 2, 0)]
    [InlineData(16, 16, 64, 64, 2, 2, 0)]
    [InlineData(2, 3, 9, 7, 3, 2, 1)]
    [InlineData(2, 2, 6, 5, 2, 1, 1)]
    public void Optimised_RandomInputWithTies_MatchesReference(int n, int c, int h, int w, int k, int s, int pad)
    {
        var rng = new Random(31 + h);
        var x = Array.ConvertAll(Randn(rng, n * c * h * w), v => MathF.Round(v * 2) / 2);
        int ho = PoolKernels.MaxPool2dOutputSize(h, k, s, pad), wo = PoolKernels.MaxPool2dOutputSize(w, k, s, pad);
        var y = new float[n * c * ho * wo]; var idx = new int[y.Length];
        var yRef = new float[y.Length]; var idxRef = new int[y.Length];
        PoolKernels.MaxPool2dForward(x, y, idx, n, c, h, w, k, k, s, s, pad, pad);
        PoolKernels.MaxPool2dForwardReference<float>(x, yRef, idxRef, n, c, h, w, k, k, s, s, pad, pad);
        Numeric.AssertClose(yRef, y, 0, 0, "y");
        Assert.Equal(idxRef, idx);
        var dy = Randn(rng, y.Length);
        var dx = new float[x.Length]; var dxRef = new float[x.Length];
        Array.Fill(dx, 9f); // the backward overwrites dx
        PoolKernels.MaxPool2dBackward(dy, idx, dx, n, c, h, w, ho, wo);
        PoolKernels.MaxPool2dBackwardReference<float>(dy, idxRef, dxRef, n, c, h, w, ho, wo);
        Numeric.AssertClose(dxRef, dx, 1e-6, 1e-6, "dx");
    }

    [Fact]
    public void MaxPool2dReference_FiniteDifferences_Agree()
    {
        const int n = 2, c = 2, h = 5, w = 6;
        var rng = new Random(41);
        var x = RandnD(rng, n * c * h * w); // distinct values: the max is differentiable almost everywhere
        int ho = PoolKernels.MaxPool2dOutputSize(h, 3, 2, 1), wo = PoolKernels.MaxPool2dOutputSize(w, 3, 2, 1);
        var dy = RandnD(rng, n * c * ho * wo);
        var idx = new int[dy.Length];
        double Loss()
        {
            var y = new double[dy.Length];
            PoolKernels.MaxPool2dForwardReference<double>(x, y, new int[dy.Length], n, c, h, w, 3, 3, 2, 2, 1, 1);
            return Dot(y, dy);
        }
        PoolKernels.MaxPool2dForwardReference<double>(x, new double[dy.Length], idx, n, c, h, w, 3, 3, 2, 2, 1, 1);
        var dx = new double[x.Length];
        PoolKernels.MaxPool2dBackwardReference<double>(dy, idx, dx, n, c, h, w, ho, wo);
        CheckGradient(Loss, x, dx, "dx");
    }

    [Fact]
    public void MaxPool2d_NaNInWindow_PropagatesAsPyTorch()
    {
        var x = new float[] { 1, float.NaN, 3, 4 };
        var y = new float[1]; var idx = new int[1];
        PoolKernels.MaxPool2dForward(x, y, idx, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1, idx[0]);
    }

    [Theory]
    [InlineData(4, 2, 2, 0, 2)]
    [InlineData(5, 2, 2, 0, 2)]
    [InlineData(7, 3, 2, 1, 4)]
    [InlineData(1, 2, 2, 1, 1)]
    public void MaxPool2dOutputSize_FloorMode_AsPyTorch(int size, int k, int s, int p, int expected)
        => Assert.Equal(expected, PoolKernels.MaxPool2dOutputSize(size, k, s, p));

    [Fact]
    public void MaxPool2dOutputSize_PaddingOverHalfKernel_Throws()
        => Assert.Throws<ArgumentException>(() => PoolKernels.MaxPool2dOutputSize(8, 2, 2, 2));
}
