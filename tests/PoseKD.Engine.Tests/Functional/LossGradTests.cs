using PoseKD.Engine.Autograd;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.GradCheck;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Functional;

public class LossGradTests
{
    [Theory]
    [InlineData(Reduction.None, 1f)]
    [InlineData(Reduction.Sum, 1f)]
    [InlineData(Reduction.Mean, 0.5f)]
    public void SmoothL1_MatchesFiniteDifferences(Reduction reduction, float beta)
    {
        // targets 0; inputs kept away from the kinks at |d| = beta and d = 0
        var x = Tensor.FromArray(new float[] { -2.1f, -0.7f, -0.3f, 0.2f, 0.45f, 0.8f, 1.6f, 2.5f, -1.4f, 0.1f }, 2, 5);
        var t = Uniform(30, -0.02f, 0.02f, 2, 5);
        Check(a => F.SmoothL1(a[0], a[1], beta, reduction), [x, t], eps: 1e-3);
    }

    [Fact]
    public void SmoothL1_AllReductions_MatchPyTorch()
    {
        var (g, cases) = Golden("smoothl1");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            var reduction = cs.Str("reduction") switch { "none" => Reduction.None, "sum" => Reduction.Sum, _ => Reduction.Mean };
            var xd = g.Get($"{p}.x");
            var x = Tensor.FromArray((float[])xd.Clone(), xd.Length);
            var t = Tensor.FromArray((float[])g.Get($"{p}.target").Clone(), xd.Length);
            x.RequiresGrad = true; t.RequiresGrad = true;
            var loss = F.SmoothL1(x, t, cs.Float("beta"), reduction);
            var dy = g.Get($"{p}.dy");
            loss.Backward(Tensor.FromArray(dy, loss.Shape));
            Numeric.AssertClose(g.Get($"{p}.loss"), loss.Data, 1e-5, 1e-5, $"{p}.loss");
            Numeric.AssertClose(g.Get($"{p}.dx"), x.Grad!.Data, 1e-6, 1e-5, $"{p}.dx");
            Numeric.AssertClose(g.Get($"{p}.dtarget"), t.Grad!.Data, 1e-6, 1e-5, $"{p}.dtarget");
        }
    }

    [Fact]
    public void SmoothL1_ShapeMismatch_ThrowsNamingBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => F.SmoothL1(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SigmoidFocalLoss_MatchesFiniteDifferences(int classes)
    {
        const int cells = 12;
        var x = Uniform(40, -5f, 5f, cells, classes);
        var labels = new int[cells];
        var gen = new Generator(41);
        for (int i = 0; i < cells; i++) labels[i] = gen.NextInt(classes + 2) - 1;
        Check(t => F.SigmoidFocalLoss(t, labels), x, eps: 1e-3);
    }

    [Fact]
    public void SigmoidFocalLoss_IgnoredCellsExtremeLogits_MatchPyTorch()
    {
        var (g, cases) = Golden("focal");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int cells = cs.Int("cells"), k = cs.Int("classes");
            var x = Tensor.FromArray((float[])g.Get($"{p}.logits").Clone(), cells, k);
            x.RequiresGrad = true;
            var labels = g.GetInts($"{p}.labels");
            var loss = F.SigmoidFocalLoss(x, labels, cs.Float("gamma"), cs.Float("alpha"), cs.Float("eps"));
            loss.Backward(Tensor.Scalar(g.Get($"{p}.dy")[0]));
            Numeric.AssertClose(g.Get($"{p}.loss")[0], loss.Item(), 1e-5, 1e-5, $"{p}.loss");
            Numeric.AssertClose(g.Get($"{p}.dlogits"), x.Grad!.Data, 1e-7, 1e-4, $"{p}.dlogits");
            using (GradMode.NoGrad())
                Assert.Equal(loss.Item(), F.SigmoidFocalLoss(x, labels, cs.Float("gamma"), cs.Float("alpha"), cs.Float("eps")).Item());
        }
    }

    [Fact]
    public void SigmoidFocalLoss_LabelCountMismatch_Throws()
        => Assert.Throws<ArgumentException>(() => F.SigmoidFocalLoss(Tensor.Zeros(4, 1), new int[3]));
}
