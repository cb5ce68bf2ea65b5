using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class GroupNormKernelsTests
{
    [Fact]
    public void ForwardBackward_SeveralGroupCounts_MatchPyTorch()
    {
        var (g, cases) = Golden("groupnorm");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w"), groups = cs.Int("groups");
            int total = n * c * h * w;
            var x = g.Get($"{p}.x"); var weight = g.Get($"{p}.weight"); var bias = g.Get($"{p}.bias");
            var y = new float[total]; var mean = new float[n * groups]; var invstd = new float[n * groups];
            GroupNormKernels.Forward(x, weight, bias, y, mean, invstd, 1e-5f, n, c, h, w, groups);
            Numeric.AssertClose(g.Get($"{p}.y"), y, 1e-5, 1e-4, $"{p}.y (groups {groups})");
            var dx = new float[total]; var dw = new float[c]; var db = new float[c];
            GroupNormKernels.Backward(g.Get($"{p}.dy"), x, mean, invstd, weight, dx, dw, db, n, c, h, w, groups);
            Numeric.AssertClose(g.Get($"{p}.dx"), dx, 1e-5, 1e-3, $"{p}.dx (groups {groups})");
            Numeric.AssertClose(g.Get($"{p}.dweight"), dw, 1e-4, 1e-4, $"{p}.dweight");
            Numeric.AssertClose(g.Get($"{p}.dbias"), db, 1e-4, 1e-4, $"{p}.dbias");
        }
    }

    [Theory]
    [InlineData(2, 8, 5, 3, 4)]
    [InlineData(16, 128, 16, 16, 32)]
    [InlineData(3, 6, 1, 1, 3)]
    public void Optimised_RandomInput_MatchesReference(int n, int c, int h, int w, int groups)
    {
        var rng = new Random(5 + c);
        int total = n * c * h * w;
        var x = Randn(rng, total, 2, 0.5); var weight = Randn(rng, c, 0.3, 1); var bias = Randn(rng, c, 0.3);
        var dy = Randn(rng, total);
        var y = new float[total]; var mean = new float[n * groups]; var invstd = new float[n * groups];
        var yRef = new float[total]; var meanRef = new float[n * groups]; var invstdRef = new float[n * groups];
        GroupNormKernels.Forward(x, weight, bias, y, mean, invstd, 1e-5f, n, c, h, w, groups);
        GroupNormKernels.ForwardReference<float>(x, weight, bias, yRef, meanRef, invstdRef, 1e-5f, n, c, h, w, groups);
        Numeric.AssertClose(yRef, y, 1e-5, 1e-4, "y");
        Numeric.AssertClose(invstdRef, invstd, 1e-6, 1e-4, "invstd");
        var dx = new float[total]; var dw = new float[c]; var db = new float[c];
        var dxRef = new float[total]; var dwRef = new float[c]; var dbRef = new float[c];
        Array.Fill(db, -1f); Array.Fill(dbRef, -1f); // backward adds into parameter gradients
        GroupNormKernels.Backward(dy, x, mean, invstd, weight, dx, dw, db, n, c, h, w, groups);
        GroupNormKernels.BackwardReference<float>(dy, x, meanRef, invstdRef, weight, dxRef, dwRef, dbRef, n, c, h, w, groups);
        Numeric.AssertClose(dxRef, dx, 1e-5, 1e-3, "dx");
        Numeric.AssertClose(dwRef, dw, 1e-3, 1e-4, "dweight");
        Numeric.AssertClose(dbRef, db, 1e-3, 1e-4, "dbias");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void BackwardReference_FiniteDifferences_Agree(int groups)
    {
        const int n = 2, c = 4, h = 2, w = 3, total = n * c * h * w;
        var rng = new Random(21 + groups);
        var x = RandnD(rng, total, 1.2, 0.3); var weight = RandnD(rng, c, 0.4, 1); var bias = RandnD(rng, c);
        var dy = RandnD(rng, total);
        double Loss()
        {
            var y = new double[total];
            GroupNormKernels.ForwardReference<double>(x, weight, bias, y, new double[n * groups], new double[n * groups], 1e-5, n, c, h, w, groups);
            return Dot(y, dy);
        }
        var mean = new double[n * groups]; var invstd = new double[n * groups];
        GroupNormKernels.ForwardReference<double>(x, weight, bias, new double[total], mean, invstd, 1e-5, n, c, h, w, groups);
        var dx = new double[total]; var dw = new double[c]; var db = new double[c];
        GroupNormKernels.BackwardReference<double>(dy, x, mean, invstd, weight, dx, dw, db, n, c, h, w, groups);
        CheckGradient(Loss, x, dx, "dx");
        CheckGradient(Loss, weight, dw, "dweight");
        CheckGradient(Loss, bias, db, "dbias");
    }

    [Fact]
    public void Forward_GroupsNotDividingChannels_Throws()
    {
        Assert.Throws<ArgumentException>(() => GroupNormKernels.Forward(new float[6], default, default, new float[6], new float[4], new float[4],
            1e-5f, 1, 6, 1, 1, 4));
    }
}
