using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class SmoothL1KernelsTests
{
    [Fact]
    public void AllReductions_MatchPyTorch()
    {
        var (g, cases) = Golden("smoothl1");
        foreach (var cs in cases)
        {
            string p = cs.Str("name"), reduction = cs.Str("reduction");
            float beta = cs.Float("beta");
            var x = g.Get($"{p}.x"); var t = g.Get($"{p}.target");
            var dx = new float[x.Length]; var dt = new float[x.Length];
            if (reduction == "none")
            {
                var loss = new float[x.Length];
                SmoothL1Kernels.Forward(x, t, loss, beta);
                Numeric.AssertClose(g.Get($"{p}.loss"), loss, 1e-6, 1e-5, $"{p}.loss");
                SmoothL1Kernels.Backward(x, t, g.Get($"{p}.dy"), dx, dt, beta);
            }
            else
            {
                double sum = SmoothL1Kernels.ForwardSum(x, t, beta);
                double value = reduction == "mean" ? sum / x.Length : sum;
                Numeric.AssertClose(g.Get($"{p}.loss")[0], value, 1e-5, 1e-5, $"{p}.loss");
                float up = g.Get($"{p}.dy")[0];
                SmoothL1Kernels.BackwardReduced(x, t, reduction == "mean" ? up / x.Length : up, dx, dt, beta);
            }
            Numeric.AssertClose(g.Get($"{p}.dx"), dx, 1e-6, 1e-5, $"{p}.dx");
            Numeric.AssertClose(g.Get($"{p}.dtarget"), dt, 1e-6, 1e-5, $"{p}.dtarget");
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    [InlineData(0.0)]
    public void Optimised_MatchesReference_AndFiniteDifferencesAgree(double beta)
    {
        var rng = new Random(71);
        var x = RandnD(rng, 40, 2); var t = RandnD(rng, 40, 2); var dy = RandnD(rng, 40);
        var loss = new float[40]; var lossRef = new float[40];
        SmoothL1Kernels.Forward(ToFloat(x), ToFloat(t), loss, (float)beta);
        SmoothL1Kernels.ForwardReference<float>(ToFloat(x), ToFloat(t), lossRef, (float)beta);
        Numeric.AssertClose(lossRef, loss, 1e-6, 1e-6, "loss");
        var dx = new float[40]; var dxRef = new float[40];
        SmoothL1Kernels.Backward(ToFloat(x), ToFloat(t), ToFloat(dy), dx, default, (float)beta);
        SmoothL1Kernels.BackwardReference<float>(ToFloat(x), ToFloat(t), ToFloat(dy), dxRef, default, (float)beta);
        Numeric.AssertClose(dxRef, dx, 1e-6, 1e-6, "dx");

        double Loss()
        {
            var l = new double[x.Length];
            SmoothL1Kernels.ForwardReference<double>(x, t, l, beta);
            return Dot(l, dy);
        }
        var gx = new double[x.Length]; var gt = new double[x.Length];
        SmoothL1Kernels.BackwardReference<double>(x, t, dy, gx, gt, beta);
        CheckGradient(Loss, x, gx, "dx");
        CheckGradient(Loss, t, gt, "dtarget");
    }

    [Fact]
    public void Forward_NegativeBeta_Throws()
        => Assert.Throws<ArgumentException>(() => SmoothL1Kernels.ForwardSum(new float[2], new float[2], -1f));
}
