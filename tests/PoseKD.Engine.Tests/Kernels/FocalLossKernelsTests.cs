using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class FocalLossKernelsTests
{
    [Fact]
    public void FusedAndUnfused_IgnoredCellsExtremeLogits_MatchPyTorch()
    {
        var (g, cases) = Golden("focal");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            int cells = cs.Int("cells"), k = cs.Int("classes");
            float gamma = cs.Float("gamma"), alpha = cs.Float("alpha"), eps = cs.Float("eps");
            var logits = g.Get($"{p}.logits"); var labels = g.GetInts($"{p}.labels");
            float up = g.Get($"{p}.dy")[0];
            double loss = FocalLossKernels.Forward(logits, labels, gamma, alpha, eps, cells, k);
            Numeric.AssertClose(g.Get($"{p}.loss")[0], loss, 1e-5, 1e-5, $"{p}.loss");
            var d = new float[logits.Length];
            FocalLossKernels.Backward(logits, labels, up, d, gamma, alpha, eps, cells, k);
            Numeric.AssertClose(g.Get($"{p}.dlogits"), d, 1e-7, 1e-4, $"{p}.dlogits");

            var dFused = new float[logits.Length];
            double lossFused = FocalLossKernels.ForwardWithGrad(logits, labels, dFused, gamma, alpha, eps, cells, k);
            Numeric.AssertClose(loss, lossFused, 1e-9, 1e-9, $"{p}.fused loss");
            for (int i = 0; i < dFused.Length; i++) dFused[i] *= up;
            Numeric.AssertClose(d, dFused, 1e-9, 1e-6, $"{p}.fused dlogits");
        }
    }

    [Fact]
    public void ExtremeLogits_ClampedGradientIsZero()
    {
        var logits = new float[] { 20f, -20f, 20f, -20f };
        var labels = new[] { 1, 1, 0, 0 };
        var d = new float[4];
        double loss = FocalLossKernels.ForwardWithGrad(logits, labels, d, 2f, 0.25f, 1e-4f, 4, 1);
        Assert.All(d, v => Assert.Equal(0f, v));
        // wrong confident predictions hit the clamp: −α·(1−ε)²·log ε and −(1−α)·(1−ε)²·log ε
        double eps = 1e-4f, hi = 1f - 1e-4f;
        double expected = -0.25 * (1 - eps) * (1 - eps) * Math.Log(eps) - 0.25 * (1 - hi) * (1 - hi) * Math.Log(hi)
                        - 0.75 * eps * eps * Math.Log(1 - eps) - 0.75 * hi * hi * Math.Log(1 - hi);
        Numeric.AssertClose(expected, loss, 1e-6, 1e-6, "loss");
    }

    [Theory]
    [InlineData(3, 2.0, 0.25)]
    [InlineData(1, 1.5, 0.5)]
    public void Optimised_MatchesReference_AndFiniteDifferencesAgree(int classes, double gamma, double alpha)
    {
        const int cells = 30;
        var rng = new Random(81 + classes);
        var x = RandnD(rng, cells * classes, 3);
        var labels = new int[cells];
        for (int i = 0; i < cells; i++) labels[i] = rng.Next(-1, classes + 1);
        var d = new float[x.Length]; var dRef = new float[x.Length];
        double loss = FocalLossKernels.ForwardWithGrad(ToFloat(x), labels, d, (float)gamma, (float)alpha, 1e-4f, cells, classes);
        float lossRef = FocalLossKernels.Reference<float>(ToFloat(x), labels, dRef, (float)gamma, (float)alpha, 1e-4f, cells, classes);
        Numeric.AssertClose(lossRef, loss, 1e-5, 1e-5, "loss");
        Numeric.AssertClose(dRef, d, 1e-6, 1e-4, "dlogits");

        double Loss() => FocalLossKernels.Reference<double>(x, labels, default, gamma, alpha, 1e-4, cells, classes);
        var g = new double[x.Length];
        FocalLossKernels.Reference<double>(x, labels, g, gamma, alpha, 1e-4, cells, classes);
        CheckGradient(Loss, x, g, "dlogits");
    }

    [Fact]
    public void LargeInput_ParallelFused_MatchesUnfused()
    {
        const int cells = 21760, classes = 2;
        var rng = new Random(91);
        var x = Randn(rng, cells * classes, 4);
        var labels = new int[cells];
        for (int i = 0; i < cells; i++) labels[i] = rng.Next(-1, classes + 1);
        var d = new float[x.Length]; var dRef = new float[x.Length];
        double loss = FocalLossKernels.ForwardWithGrad(x, labels, d, 2f, 0.25f, 1e-4f, cells, classes);
        double lossRef = FocalLossKernels.Forward(x, labels, 2f, 0.25f, 1e-4f, cells, classes);
        FocalLossKernels.Backward(x, labels, 1f, dRef, 2f, 0.25f, 1e-4f, cells, classes);
        Numeric.AssertClose(lossRef, loss, 1e-9, 1e-9, "loss");
        Numeric.AssertClose(dRef, d, 0, 0, "dlogits");
    }
}
