using PoseKD.Engine.Autograd;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.GradCheck;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Functional;

public class NormGradTests
{
    private static Tensor Leaf(float[] data, params int[] shape)
    {
        var t = Tensor.FromArray((float[])data.Clone(), shape);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void BatchNorm2d_Training_MatchesFiniteDifferences()
    {
        var x = Uniform(1, -2f, 2f, 3, 2, 3, 2);
        var w = Uniform(2, 0.5f, 1.5f, 2);
        var b = Uniform(3, -0.5f, 0.5f, 2);
        Check(t => F.BatchNorm2d(t[0], t[1], t[2], null, null, training: true), [x, w, b]);
        Check(t => F.BatchNorm2d(t[0], null, null, null, null, training: true), [x]);
    }

    [Fact]
    public void BatchNorm2d_Eval_MatchesFiniteDifferences()
    {
        var x = Uniform(4, -2f, 2f, 2, 3, 2, 2);
        var w = Uniform(5, 0.5f, 1.5f, 3);
        var b = Uniform(6, -0.5f, 0.5f, 3);
        var rm = Uniform(7, -0.3f, 0.3f, 3);
        var rv = Uniform(8, 0.5f, 1.5f, 3);
        Check(t => F.BatchNorm2d(t[0], t[1], t[2], rm, rv, training: false), [x, w, b]);
    }

    [Fact]
    public void BatchNorm2d_TrainingStepsThenEval_MatchPyTorch()
    {
        var (g, cases) = Golden("batchnorm");
        foreach (var cs in cases)
        {
            string name = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w"), steps = cs.Int("steps");
            var rm = Tensor.FromArray((float[])g.Get($"{name}.running_mean0").Clone(), c);
            var rv = Tensor.FromArray((float[])g.Get($"{name}.running_var0").Clone(), c);
            for (int s = 0; s <= steps; s++)
            {
                bool training = s < steps;
                string p = training ? $"{name}.step{s}" : $"{name}.eval";
                var x = Leaf(g.Get($"{p}.x"), n, c, h, w);
                var weight = Leaf(g.Get($"{name}.weight"), c);
                var bias = Leaf(g.Get($"{name}.bias"), c);
                var y = F.BatchNorm2d(x, weight, bias, rm, rv, training);
                y.Backward(Tensor.FromArray(g.Get($"{p}.dy"), n, c, h, w));
                Numeric.AssertClose(g.Get($"{p}.y"), y.Data, 1e-5, 1e-4, $"{p}.y");
                Numeric.AssertClose(g.Get($"{p}.dx"), x.Grad!.Data, 1e-5, 1e-3, $"{p}.dx");
                Numeric.AssertClose(g.Get($"{p}.dweight"), weight.Grad!.Data, 1e-4, 1e-4, $"{p}.dweight");
                Numeric.AssertClose(g.Get($"{p}.dbias"), bias.Grad!.Data, 1e-4, 1e-4, $"{p}.dbias");
                if (training)
                {
                    Numeric.AssertClose(g.Get($"{p}.running_mean"), rm.Data, 1e-6, 1e-5, $"{p}.running_mean");
                    Numeric.AssertClose(g.Get($"{p}.running_var"), rv.Data, 1e-6, 1e-5, $"{p}.running_var");
                }
            }
        }
    }

    [Fact]
    public void BatchNorm2d_TrainingUnderNoGrad_UpdatesRunningStatsWithoutGraph()
    {
        var x = Uniform(9, -1f, 3f, 2, 2, 2, 2);
        x.RequiresGrad = true;
        var rm = Tensor.Zeros(2);
        var rv = Tensor.Ones(2);
        Tensor y;
        using (GradMode.NoGrad()) y = F.BatchNorm2d(x, null, null, rm, rv, training: true);
        Assert.Null(y.GradFn);
        Assert.All(rm.Data, v => Assert.NotEqual(0f, v));
        // running_var after one step from 1: 0.9 + 0.1·unbiased variance (m = 8)
        for (int ch = 0; ch < 2; ch++)
        {
            var vals = Enumerable.Range(0, 2).SelectMany(b => x.Data.Skip((b * 2 + ch) * 4).Take(4)).Select(v => (double)v).ToArray();
            double mean = vals.Average(), unbiased = vals.Sum(v => (v - mean) * (v - mean)) / 7;
            Numeric.AssertClose(0.1 * mean, rm.Data[ch], 1e-6, 1e-5, "running mean");
            Numeric.AssertClose(0.9 + 0.1 * unbiased, rv.Data[ch], 1e-6, 1e-5, "running var");
        }
    }

    [Fact]
    public void BatchNorm2d_BadShapes_Throw()
    {
        var x = Tensor.Zeros(2, 3, 2, 2);
        Assert.Throws<ArgumentException>(() => F.BatchNorm2d(x, Tensor.Ones(4), null, null, null, training: true));
        Assert.Throws<ArgumentException>(() => F.BatchNorm2d(Tensor.Zeros(2, 3), null, null, null, null, training: true));
        Assert.Throws<ArgumentException>(() => F.BatchNorm2d(x, null, null, null, null, training: false));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void GroupNorm_SeveralGroupCounts_MatchesFiniteDifferences(int groups)
    {
        var x = Uniform(10, -2f, 2f, 2, 4, 2, 3);
        var w = Uniform(11, 0.5f, 1.5f, 4);
        var b = Uniform(12, -0.5f, 0.5f, 4);
        Check(t => F.GroupNorm(t[0], groups, t[1], t[2]), [x, w, b]);
    }

    [Fact]
    public void GroupNorm_SeveralGroupCounts_MatchPyTorch()
    {
        var (g, cases) = Golden("groupnorm");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w"), groups = cs.Int("groups");
            var x = Leaf(g.Get($"{p}.x"), n, c, h, w);
            var weight = Leaf(g.Get($"{p}.weight"), c);
            var bias = Leaf(g.Get($"{p}.bias"), c);
            var y = F.GroupNorm(x, groups, weight, bias);
            y.Backward(Tensor.FromArray(g.Get($"{p}.dy"), n, c, h, w));
            Numeric.AssertClose(g.Get($"{p}.y"), y.Data, 1e-5, 1e-4, $"{p}.y");
            Numeric.AssertClose(g.Get($"{p}.dx"), x.Grad!.Data, 1e-5, 1e-3, $"{p}.dx");
            Numeric.AssertClose(g.Get($"{p}.dweight"), weight.Grad!.Data, 1e-4, 1e-4, $"{p}.dweight");
            Numeric.AssertClose(g.Get($"{p}.dbias"), bias.Grad!.Data, 1e-4, 1e-4, $"{p}.dbias");
        }
    }

    [Fact]
    public void GroupNorm_OnlyWeightRequiresGrad_GivesWeightGradOnly()
    {
        var x = Uniform(13, -2f, 2f, 2, 4, 3, 3);
        var w = Uniform(14, 0.5f, 1.5f, 4);
        w.RequiresGrad = true;
        var b = Tensor.Zeros(4);
        F.Sum(F.GroupNorm(x, 2, w, b)).Backward();
        Assert.NotNull(w.Grad);
        Assert.Null(x.Grad);
        Assert.Null(b.Grad);
    }

    [Fact]
    public void GroupNorm_GroupsNotDividingChannels_Throws()
        => Assert.Throws<ArgumentException>(() => F.GroupNorm(Tensor.Zeros(1, 6, 2, 2), 4, null, null));
}
