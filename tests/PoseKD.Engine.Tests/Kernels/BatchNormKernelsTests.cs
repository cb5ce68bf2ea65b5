using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;
using static PoseKD.Engine.Tests.Kernels.NnKernelTestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class BatchNormKernelsTests
{
    [Fact]
    public void ForwardTraining_ThreeStepsAndEval_MatchesPyTorch()
    {
        var (g, cases) = Golden("batchnorm");
        foreach (var cs in cases)
        {
            string name = cs.Str("name");
            int n = cs.Int("n"), c = cs.Int("c"), h = cs.Int("h"), w = cs.Int("w"), steps = cs.Int("steps");
            var weight = g.Get($"{name}.weight");
            var bias = g.Get($"{name}.bias");
            var rm = (float[])g.Get($"{name}.running_mean0").Clone();
            var rv = (float[])g.Get($"{name}.running_var0").Clone();
            int total = n * c * h * w;
            for (int s = 0; s < steps; s++)
            {
                string p = $"{name}.step{s}";
                var x = g.Get($"{p}.x");
                var y = new float[total]; var mean = new float[c]; var invstd = new float[c];
                BatchNormKernels.ForwardTraining(x, weight, bias, y, mean, invstd, rm, rv, 0.1f, 1e-5f, n, c, h, w);
                Numeric.AssertClose(g.Get($"{p}.y"), y, 1e-5, 1e-4, $"{p}.y");
                Numeric.AssertClose(g.Get($"{p}.running_mean"), rm, 1e-6, 1e-5, $"{p}.running_mean");
                Numeric.AssertClose(g.Get($"{p}.running_var"), rv, 1e-6, 1e-5, $"{p}.running_var");
                var dx = new float[total]; var dw = new float[c]; var db = new float[c];
                BatchNormKernels.BackwardTraining(g.Get($"{p}.dy"), x, mean, invstd, weight, dx, dw, db, n, c, h, w);
                Numeric.AssertClose(g.Get($"{p}.dx"), dx, 1e-5, 1e-3, $"{p}.dx");
                Numeric.AssertClose(g.Get($"{p}.dweight"), dw, 1e-4, 1e-4, $"{p}.dweight");
                Numeric.AssertClose(g.Get($"{p}.dbias"), db, 1e-4, 1e-4, $"{p}.dbias");
            }
            string e = $"{name}.eval";
            var xe = g.Get($"{e}.x");
            var ye = new float[total];
            BatchNormKernels.ForwardEval(xe, rm, rv, weight, bias, ye, 1e-5f, n, c, h, w);
            Numeric.AssertClose(g.Get($"{e}.y"), ye, 1e-5, 1e-4, $"{e}.y");
            var dxe = new float[total]; var dwe = new float[c]; var dbe = new float[c];
            BatchNormKernels.BackwardEval(g.Get($"{e}.dy"), xe, rm, rv, weight, dxe, dwe, dbe, 1e-5f, n, c, h, w);
            Numeric.AssertClose(g.Get($"{e}.dx"), dxe, 1e-5, 1e-4, $"{e}.dx");
            Numeric.AssertClose(g.Get($"{e}.dweight"), dwe, 1e-4, 1e-4, $"{e}.dweight");
            Numeric.AssertClose(g.Get($"{e}.dbias"), dbe, 1e-4, 1e-4, $"{e}.dbias");
        }
    }

    [Theory]
    [InlineData(2, 3, 5, 7)]
    [InlineData(16, 8, 32, 32)]
    [InlineData(3, 5, 1, 1)]
    public void Optimised_RandomInput_MatchesReference(int n, int c, int h, int w)
    {
        var rng = new Random(7 + n * c);
        int total = n * c * h * w;
        var x = Randn(rng, total, 1.5, 0.3);
        var weight = Randn(rng, c, 0.5, 1);
        var bias = Randn(rng, c, 0.5);
        var dy = Randn(rng, total);
        var rm = Randn(rng, c, 0.1); var rv = Array.ConvertAll(Randn(rng, c, 0.2), v => 1 + Math.Abs(v));
        var rmRef = (float[])rm.Clone(); var rvRef = (float[])rv.Clone();

        var y = new float[total]; var mean = new float[c]; var invstd = new float[c];
        var yRef = new float[total]; var meanRef = new float[c]; var invstdRef = new float[c];
        BatchNormKernels.ForwardTraining(x, weight, bias, y, mean, invstd, rm, rv, 0.1f, 1e-5f, n, c, h, w);
        BatchNormKernels.ForwardTrainingReference<float>(x, weight, bias, yRef, meanRef, invstdRef, rmRef, rvRef, 0.1f, 1e-5f, n, c, h, w);
        Numeric.AssertClose(yRef, y, 1e-5, 1e-4, "y");
        Numeric.AssertClose(meanRef, mean, 1e-6, 1e-4, "mean");
        Numeric.AssertClose(invstdRef, invstd, 1e-6, 1e-4, "invstd");
        Numeric.AssertClose(rmRef, rm, 1e-6, 1e-4, "running mean");
        Numeric.AssertClose(rvRef, rv, 1e-6, 1e-4, "running var");

        var dx = new float[total]; var dw = new float[c]; var db = new float[c];
        var dxRef = new float[total]; var dwRef = new float[c]; var dbRef = new float[c];
        Array.Fill(dw, 0.5f); Array.Fill(dwRef, 0.5f); // backward adds into parameter gradients
        BatchNormKernels.BackwardTraining(dy, x, mean, invstd, weight, dx, dw, db, n, c, h, w);
        BatchNormKernels.BackwardTrainingReference<float>(dy, x, meanRef, invstdRef, weight, dxRef, dwRef, dbRef, n, c, h, w);
        Numeric.AssertClose(dxRef, dx, 1e-5, 1e-3, "dx");
        Numeric.AssertClose(dwRef, dw, 1e-3, 1e-4, "dweight");
        Numeric.AssertClose(dbRef, db, 1e-3, 1e-4, "dbias");

        BatchNormKernels.ForwardEval(x, rm, rv, weight, bias, y, 1e-5f, n, c, h, w);
        BatchNormKernels.ForwardEvalReference<float>(x, rm, rv, weight, bias, yRef, 1e-5f, n, c, h, w);
        Numeric.AssertClose(yRef, y, 1e-5, 1e-4, "eval y");
        BatchNormKernels.BackwardEval(dy, x, rm, rv, weight, dx, dw, db, 1e-5f, n, c, h, w);
        BatchNormKernels.BackwardEvalReference<float>(dy, x, rm, rv, weight, dxRef, dwRef, dbRef, 1e-5f, n, c, h, w);
        Numeric.AssertClose(dxRef, dx, 1e-6, 1e-4, "eval dx");
        Numeric.AssertClose(dwRef, dw, 1e-3, 1e-4, "eval dweight");
        Numeric.AssertClose(dbRef, db, 1e-3, 1e-4, "eval dbias");
    }

    [Fact]
    public void BackwardTrainingReference_FiniteDifferences_Agree()
    {
        const int n = 2, c = 3, h = 3, w = 2, total = n * c * h * w;
        var rng = new Random(11);
        var x = RandnD(rng, total, 1.3, 0.4); var weight = RandnD(rng, c, 0.4, 1); var bias = RandnD(rng, c);
        var dy = RandnD(rng, total);
        double Loss()
        {
            var y = new double[total];
            BatchNormKernels.ForwardTrainingReference<double>(x, weight, bias, y, new double[c], new double[c], default, default, 0.1, 1e-5, n, c, h, w);
            return Dot(y, dy);
        }
        var mean = new double[c]; var invstd = new double[c];
        BatchNormKernels.ForwardTrainingReference<double>(x, weight, bias, new double[total], mean, invstd, default, default, 0.1, 1e-5, n, c, h, w);
        var dx = new double[total]; var dw = new double[c]; var db = new double[c];
        BatchNormKernels.BackwardTrainingReference<double>(dy, x, mean, invstd, weight, dx, dw, db, n, c, h, w);
        CheckGradient(Loss, x, dx, "dx");
        CheckGradient(Loss, weight, dw, "dweight");
        CheckGradient(Loss, bias, db, "dbias");
    }

    [Fact]
    public void BackwardEvalReference_FiniteDifferences_Agree()
    {
        const int n = 2, c = 3, h = 2, w = 3, total = n * c * h * w;
        var rng = new Random(12);
        var x = RandnD(rng, total); var weight = RandnD(rng, c, 0.4, 1); var bias = RandnD(rng, c);
        var rm = RandnD(rng, c, 0.3); var rv = Array.ConvertAll(RandnD(rng, c), v => 0.5 + Math.Abs(v));
        var dy = RandnD(rng, total);
        double Loss()
        {
            var y = new double[total];
            BatchNormKernels.ForwardEvalReference<double>(x, rm, rv, weight, bias, y, 1e-5, n, c, h, w);
            return Dot(y, dy);
        }
        var dx = new double[total]; var dw = new double[c]; var db = new double[c];
        BatchNormKernels.BackwardEvalReference<double>(dy, x, rm, rv, weight, dx, dw, db, 1e-5, n, c, h, w);
        CheckGradient(Loss, x, dx, "dx");
        CheckGradient(Loss, weight, dw, "dweight");
        CheckGradient(Loss, bias, db, "dbias");
    }

    [Fact]
    public void ForwardTraining_NoAffineNoRunningStats_NormalisesEachChannel()
    {
        const int n = 3, c = 2, h = 4, w = 5, total = n * c * h * w;
        var x = Randn(new Random(3), total, 2, 5);
        var y = new float[total]; var mean = new float[c]; var invstd = new float[c];
        BatchNormKernels.ForwardTraining(x, default, default, y, mean, invstd, default, default, 0.1f, 1e-5f, n, c, h, w);
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, sq = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < h * w; i++) { double v = y[(b * c + ch) * h * w + i]; s += v; sq += v * v; }
            Numeric.AssertClose(0, s / (n * h * w), 1e-5, 0, "mean");
            Numeric.AssertClose(1, sq / (n * h * w), 1e-4, 0, "variance");
        }
    }

    [Fact]
    public void ForwardTraining_OneValuePerChannel_Throws()
    {
        var x = new float[3];
        Assert.Throws<ArgumentException>(() => BatchNormKernels.ForwardTraining(x, default, default, new float[3], new float[3], new float[3],
            default, default, 0.1f, 1e-5f, 1, 3, 1, 1));
    }
}
