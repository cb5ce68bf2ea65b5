using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Optim;

public class OptimKernelsTests
{
    private static readonly Dictionary<string, NamedArray> Golden = SafeTensors.Read(Numeric.Fixture("optim/kernels.safetensors"));

    internal static double[] Bits(NamedArray a) => a.Int64Data!.Select(BitConverter.Int64BitsToDouble).ToArray();

    private static float[] Row(NamedArray a, int r)
    {
        int w = (int)a.Shape[1];
        return a.Data.AsSpan(r * w, w).ToArray();
    }

    [Fact]
    public void AdamWStep_SixStepsOnFixedGradients_MatchesTorch()
    {
        var p = Golden["adamw.p0"].Data.ToArray();
        var m = new float[p.Length];
        var v = new float[p.Length];
        var lrs = Bits(Golden["adamw.lr_bits"]);
        var schedule = new OneCycleSchedule(3e-2, 10, pctStart: 0.3);
        for (int t = 0; t < 6; t++)
        {
            Assert.Equal(lrs[t], schedule.LearningRate(t));
            OptimKernels.AdamWStep(Row(Golden["adamw.grads"], t), p, m, v, lrs[t], 0.9, 0.999, 1e-8, 1e-2, t + 1);
            Numeric.AssertClose(Row(Golden["adamw.params"], t), p, 1e-6, 1e-5, $"param after step {t + 1}");
        }
        Numeric.AssertClose(Golden["adamw.exp_avg"].Data, m, 1e-7, 1e-5, "exp_avg");
        Numeric.AssertClose(Golden["adamw.exp_avg_sq"].Data, v, 1e-9, 1e-5, "exp_avg_sq");
    }

    [Theory]
    [InlineData("sgd", false)]
    [InlineData("sgd_nesterov", true)]
    public void SgdStep_MomentumAndWeightDecay_MatchesTorch(string name, bool nesterov)
    {
        var p = Golden[name + ".p0"].Data.ToArray();
        var buf = new float[p.Length];
        for (int t = 0; t < 5; t++)
        {
            OptimKernels.SgdStep(Row(Golden[name + ".grads"], t), p, buf, 0.05, 0.9, 0, 1e-3, nesterov, firstStep: t == 0);
            Numeric.AssertClose(Row(Golden[name + ".params"], t), p, 1e-6, 1e-5, $"param after step {t + 1}");
        }
        Numeric.AssertClose(Golden[name + ".momentum_buffer"].Data, buf, 1e-6, 1e-5, "momentum_buffer");
    }

    [Fact]
    public void AdamWStep_MismatchedLengths_Throws()
        => Assert.Throws<ArgumentException>(() => OptimKernels.AdamWStep(new float[3], new float[4], new float[4], new float[4], 1e-3, 0.9, 0.999, 1e-8, 0, 1));

    [Fact]
    public void Norm2_KnownVector_IsEuclideanNorm()
        => Assert.Equal(5f, OptimKernels.Norm2([3f, 4f]));
}
