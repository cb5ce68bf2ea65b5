using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class ActivationKernelsTests
{
    [Fact]
    public void ReluLeakyRelu_WithExactZeros_MatchPyTorch()
    {
        var (g, cases) = Golden("activation");
        foreach (var cs in cases)
        {
            string p = cs.Str("name");
            float slope = cs.Float("slope");
            var x = g.Get($"{p}.x");
            var y = new float[x.Length];
            var dx = new float[x.Length];
            if (slope == 0f) { ActivationKernels.Relu(x, y); ActivationKernels.ReluBackward(g.Get($"{p}.dy"), x, dx); }
            else { ActivationKernels.LeakyRelu(x, y, slope); ActivationKernels.LeakyReluBackward(g.Get($"{p}.dy"), x, dx, slope); }
            Numeric.AssertClose(g.Get($"{p}.y"), y, 0, 1e-7, $"{p}.y");
            Numeric.AssertClose(g.Get($"{p}.dx"), dx, 0, 1e-7, $"{p}.dx");
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void InPlace_ForwardThenBackwardFromOutput_EqualsOutOfPlace(float slope)
    {
        var rng = new Random(61);
        var x = Randn(rng, 200_003);
        for (int i = 0; i < x.Length; i += 11) x[i] = 0f;
        var dy = Randn(rng, x.Length);
        var y = new float[x.Length]; var dx = new float[x.Length];
        ActivationKernels.LeakyReluReference<float>(x, y, slope);
        ActivationKernels.LeakyReluBackwardReference<float>(dy, x, dx, slope);

        var buf = (float[])x.Clone();
        ActivationKernels.LeakyRelu(buf, buf, slope);     // in place: buf now holds y
        Numeric.AssertClose(y, buf, 0, 0, "in-place y");
        var g = (float[])dy.Clone();
        ActivationKernels.LeakyReluBackward(g, buf, g, slope); // from the output, in place into dy
        Numeric.AssertClose(dx, g, 0, 0, "in-place dx from output");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void BackwardReference_FiniteDifferences_Agree(double slope)
    {
        var rng = new Random(62);
        var x = Array.ConvertAll(RandnD(rng, 50), v => Math.Abs(v) < 1e-3 ? 0.5 : v); // away from the kink
        var dy = RandnD(rng, x.Length);
        double Loss()
        {
            var y = new double[x.Length];
            ActivationKernels.LeakyReluReference<double>(x, y, slope);
            return Dot(y, dy);
        }
        var dx = new double[x.Length];
        ActivationKernels.LeakyReluBackwardReference<double>(dy, x, dx, slope);
        CheckGradient(Loss, x, dx, "dx");
    }
}
