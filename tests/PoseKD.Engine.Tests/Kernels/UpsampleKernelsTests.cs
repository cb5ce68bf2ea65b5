using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class UpsampleKernelsTests
{
    [Fact]
    public void Nearest_SeveralScales_MatchPyTorch()
    {
        var (g, cases) = Golden("upsample");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w"), s = cs.Int("scale");
            var y = new float[n * c * h * w * s * s];
            UpsampleKernels.NearestForward(g.Get($"{p}.x"), y, n, c, h, w, s);
            Numeric.AssertClose(g.Get($"{p}.y"), y, 0, 0, $"{p}.y");
            var dx = new float[n * c * h * w];
            UpsampleKernels.NearestBackward(g.Get($"{p}.dy"), dx, n, c, h, w, s);
            Numeric.AssertClose(g.Get($"{p}.dx"), dx, 1e-6, 1e-5, $"{p}.dx");
        }
    }

    [Theory]
    [InlineData(2, 3, 4, 5, 2)]
    [InlineData(16, 128, 8, 8, 2)]
    [InlineData(1, 2, 3, 7, 3)]
    public void Optimised_RandomInput_MatchesReference(int n, int c, int h, int w, int s)
    {
        var rng = new Random(51 + s);
        var x = Randn(rng, n * c * h * w);
        var y = new float[x.Length * s * s]; var yRef = new float[y.Length];
        UpsampleKernels.NearestForward(x, y, n, c, h, w, s);
        UpsampleKernels.NearestForwardReference<float>(x, yRef, n, c, h, w, s);
        Numeric.AssertClose(yRef, y, 0, 0, "y");
        var dy = Randn(rng, y.Length);
        var dx = new float[x.Length]; var dxRef = new float[x.Length];
        UpsampleKernels.NearestBackward(dy, dx, n, c, h, w, s);
        UpsampleKernels.NearestBackwardReference<float>(dy, dxRef, n, c, h, w, s);
        Numeric.AssertClose(dxRef, dx, 1e-6, 1e-5, "dx");
    }

    [Fact]
    public void NearestBackwardReference_FiniteDifferences_Agree()
    {
        const int n = 2, c = 2, h = 3, w = 2, s = 3;
        var rng = new Random(52);
        var x = RandnD(rng, n * c * h * w);
        var dy = RandnD(rng, x.Length * s * s);
        double Loss()
        {
            var y = new double[dy.Length];
            UpsampleKernels.NearestForwardReference<double>(x, y, n, c, h, w, s);
            return Dot(y, dy);
        }
        var dx = new double[x.Length];
        UpsampleKernels.NearestBackwardReference<double>(dy, dx, n, c, h, w, s);
        CheckGradient(Loss, x, dx, "dx");
    }
}
