using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;
using PoseKD.TestSupport;

namespace PoseKD.Model.Tests.Distillation;

public sealed class FeatureImitationLossTests
{
    [Fact]
    public void Mask_AnchorCentresInBox_AreSelected()
    {
        // stride 8: centres at 3.5, 11.5, 19.5, 27.5; box [10, 20] × [0, 4] holds x = 11.5, 19.5 and y = 3.5
        var mask = FeatureImitationLoss.Mask([new ObjectBox(10, 0, 20, 4), null], 8, 2, 2, 4, out long cells);
        Assert.Equal(2, cells);
        Assert.Equal(new float[] { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, mask.Data);
    }

    [Fact]
    public void Compute_TinyMaps_MatchesHandFormula()
    {
        var gen = new Generator(1);
        var loss = new FeatureImitationLoss([2], [3], [8], weight: 4.0, generator: gen);
        var s = Tensor.Randn(gen, 1, 2, 2, 2);
        var t = Tensor.Randn(gen, 1, 3, 2, 2);
        var box = new ObjectBox(0, 0, 8, 4); // centres (3.5, 3.5) and (11.5, 3.5): only cell (0, 0)
        float value = loss.Compute([s], [t], [box]).Item();
        var wgt = loss.Adapters[0].Weight.Data;
        var bias = loss.Adapters[0].Bias!.Data;
        double sum = 0;
        for (int o = 0; o < 3; o++)
        {
            double a = bias[o] + wgt[o * 2] * s.Data[0] + wgt[o * 2 + 1] * s.Data[4];
            double d = a - t.Data[o * 4];
            sum += d * d;
        }
        Numeric.AssertClose(4.0 * sum / 2.0, value, atol: 1e-6, rtol: 1e-5);
    }

    [Fact]
    public void Compute_Backward_ReachesAdaptersAndStudentNotTeacher()
    {
        var gen = new Generator(2);
        var loss = new FeatureImitationLoss([4, 4], [6, 6], [8, 16], generator: gen);
        var s0 = Tensor.Randn(gen, 2, 4, 4, 4); s0.RequiresGrad = true;
        var s1 = Tensor.Randn(gen, 2, 4, 2, 2); s1.RequiresGrad = true;
        var t0 = Tensor.Randn(gen, 2, 6, 4, 4); t0.RequiresGrad = true;
        var t1 = Tensor.Randn(gen, 2, 6, 2, 2);
        var boxes = new ObjectBox?[] { new ObjectBox(0, 0, 20, 20), new ObjectBox(10, 10, 31, 31) };
        var v = loss.Compute([s0, s1], [t0, t1], boxes);
        v.Backward();
        Assert.NotNull(loss.Adapters[0].Weight.Grad);
        Assert.NotNull(loss.Adapters[1].Bias!.Grad);
        Assert.Contains(s0.Grad!.Data, g => g != 0);
        Assert.Null(t0.Grad);
        Assert.Contains("adapters.1.weight", loss.StateDict().Keys);

        // finite difference on one adapter weight
        var w = loss.Adapters[0].Weight;
        float analytic = w.Grad!.Data[5], keep = w.Data[5];
        const float h = 1e-2f;
        w.Data[5] = keep + h;
        float up = loss.Compute([s0.Detach(), s1.Detach()], [t0, t1], boxes).Item();
        w.Data[5] = keep - h;
        float down = loss.Compute([s0.Detach(), s1.Detach()], [t0, t1], boxes).Item();
        w.Data[5] = keep;
        Numeric.AssertClose((up - down) / (2 * h), analytic, atol: 1e-3, rtol: 1e-2);
    }

    [Fact]
    public void Compute_NoCellInAnyBox_IsZero()
    {
        var gen = new Generator(3);
        var loss = new FeatureImitationLoss([2], [2], [8], generator: gen);
        var v = loss.Compute([Tensor.Randn(gen, 1, 2, 2, 2)], [Tensor.Randn(gen, 1, 2, 2, 2)], [null]);
        Assert.Equal(0f, v.Item());
    }

    [Fact]
    public void Compute_WrongTeacherWidth_ThrowsWithShapes()
    {
        var loss = new FeatureImitationLoss([2], [3], [8]);
        var ex = Assert.Throws<ArgumentException>(() => loss.Compute([Tensor.Zeros(1, 2, 2, 2)], [Tensor.Zeros(1, 4, 2, 2)], [null]));
        Assert.Contains("[1, 4, 2, 2]", ex.Message);
    }
}
