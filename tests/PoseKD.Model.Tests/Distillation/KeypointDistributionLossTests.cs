using PoseKD.Engine.Autograd;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;
using PoseKD.TestSupport;

namespace PoseKD.Model.Tests.Distillation;

public sealed class KeypointDistributionLossTests
{
    private static LocalPredictions Preds(Generator gen, int n, float cx = 320, float cy = 240, float spread = 8, int firstCell = 0, bool grad = false)
    {
        var kp = Tensor.Randn(gen, n, 8, 2);
        for (int i = 0; i < kp.Numel; i++) kp.Data[i] = kp.Data[i] * spread + (i % 2 == 0 ? cx : cy) + (i / 2 % 8) * 5;
        var w = Tensor.Rand(gen, n);
        for (int i = 0; i < n; i++) w.Data[i] = 0.2f + 0.7f * w.Data[i];
        kp.RequiresGrad = grad;
        w.RequiresGrad = grad;
        return new LocalPredictions(kp, w, Enumerable.Range(firstCell, n).Select(c => new CellRef(1, c)).ToArray());
    }

    private static LocalPredictions Empty() => new(Tensor.Zeros(0, 8, 2), Tensor.Zeros(0), []);

    [Fact]
    public void Compute_ImagesWithAnEmptySide_AreLeftOutOfTheMean()
    {
        var gen = new Generator(1);
        var s0 = Preds(gen, 6); var t0 = Preds(gen, 4, spread: 3);
        var s1 = Preds(gen, 5); var t1 = Preds(gen, 7, spread: 3);
        var loss = new KeypointDistributionLoss(new KdOptions());
        float both = loss.Compute([s0, s1], [t0, t1]).Item();
        float withEmpty = loss.Compute([s0, Empty(), s1, Preds(gen, 3)], [t0, Preds(gen, 3), t1, Empty()]).Item();
        Assert.Equal(both, withEmpty, 6);
        float single0 = loss.Compute([s0], [t0]).Item(), single1 = loss.Compute([s1], [t1]).Item();
        Assert.Equal((single0 + single1) / 2, both, 5);
    }

    [Fact]
    public void Compute_NoImageWithBothSides_IsZeroWithoutGraph()
    {
        var gen = new Generator(2);
        var loss = new KeypointDistributionLoss(new KdOptions()).Compute([Preds(gen, 4, grad: true)], [Empty()]);
        Assert.Equal(0f, loss.Item());
        Assert.False(loss.RequiresGrad);
    }

    [Fact]
    public void Compute_KdWeight_ScalesTheTerm()
    {
        var gen = new Generator(3);
        var s = Preds(gen, 6); var t = Preds(gen, 5, spread: 3);
        float w5 = new KeypointDistributionLoss(new KdOptions()).Compute([s], [t]).Item();
        float w1 = new KeypointDistributionLoss(new KdOptions { KdWeight = 1 }).Compute([s], [t]).Item();
        float w0 = new KeypointDistributionLoss(new KdOptions { KdWeight = 0 }).Compute([s], [t]).Item();
        Assert.Equal(5 * w1, w5, 5);
        Assert.Equal(0f, w0);
        Assert.True(w1 > 0);
    }

    [Fact]
    public void Compute_StudentEqualsTeacher_IsZero()
    {
        var gen = new Generator(4);
        var s = Preds(gen, 6);
        var t = new LocalPredictions(s.Keypoints, F_Sqrt(s.Weights), s.Cells); // teacher weights are squared
        float v = new KeypointDistributionLoss(new KdOptions()).Compute([s], [t]).Item();
        Assert.Equal(0f, v, 5);
    }

    private static Tensor F_Sqrt(Tensor w) => PoseKD.Engine.Functional.F.Sqrt(w.Detach());

    [Theory]
    [InlineData(KdLossType.L1)]
    [InlineData(KdLossType.L2)]
    public void Compute_PointToPoint_MatchesHandFormulaAndGradient(KdLossType type)
    {
        var gen = new Generator(5);
        var s = Preds(gen, 3, grad: true);
        var u = Preds(gen, 3);
        var options = new KdOptions { GType = type, KdWeight = 2 };
        var loss = new KeypointDistributionLoss(options).Compute([s, Empty()], [Preds(gen, 2), Empty()], [u, Empty()]);
        double expected = 0;
        var expectedGrad = new float[s.Keypoints.Numel];
        for (int i = 0; i < s.Keypoints.Numel; i++)
        {
            double div = i % 2 == 0 ? 640.0 : 480.0;
            double d = s.Keypoints.Data[i] / div - u.Keypoints.Data[i] / div;
            expected += type == KdLossType.L1 ? Math.Abs(d) : d * d;
            expectedGrad[i] = (float)(2.0 / 3 * (type == KdLossType.L1 ? Math.Sign(d) : 2 * d) / div);
        }
        expected *= 2.0 / 3; // kd_weight 2, mean over 3 cells, one image with cells
        Numeric.AssertClose(expected, loss.Item(), atol: 1e-6, rtol: 1e-5);
        loss.Backward();
        Numeric.AssertClose(expectedGrad, s.Keypoints.Grad!.Data, atol: 1e-7, rtol: 1e-4);
        Assert.Null(s.Weights.Grad);
    }

    [Fact]
    public void Compute_PointToPointWithoutTeacherAtStudentCells_Throws()
    {
        var gen = new Generator(6);
        var loss = new KeypointDistributionLoss(new KdOptions { GType = KdLossType.L2 });
        Assert.Contains("teacherAtStudentCells", Assert.Throws<ArgumentException>(() => loss.Compute([Preds(gen, 2)], [Preds(gen, 2)])).Message);
        var ex = Assert.Throws<ArgumentException>(() => loss.Compute([Preds(gen, 2)], [Preds(gen, 2)], [Preds(gen, 2, firstCell: 5)]));
        Assert.Contains("same order", ex.Message);
    }

    [Fact]
    public void Compute_BadKeypointShape_ThrowsWithShape()
    {
        var bad = new LocalPredictions(Tensor.Zeros(2, 4, 2), Tensor.Zeros(2), [new CellRef(0, 0), new CellRef(0, 1)]);
        var ex = Assert.Throws<ArgumentException>(() => new KeypointDistributionLoss(new KdOptions()).Compute([bad], [bad]));
        Assert.Contains("[2, 4, 2]", ex.Message);
    }

    [Fact]
    public void Compute_ClampedStudentScores_GetNoGradient()
    {
        var gen = new Generator(7);
        var s = Preds(gen, 4, grad: true);
        s.Weights.Data[0] = 0.9995f;  // above 1 − 1e-3
        s.Weights.Data[1] = 0.0004f;  // below 1e-3
        var t = Preds(gen, 5, spread: 3);
        new KeypointDistributionLoss(new KdOptions()).Compute([s], [t]).Backward();
        Assert.Equal(0f, s.Weights.Grad!.Data[0]);
        Assert.Equal(0f, s.Weights.Grad.Data[1]);
        Assert.NotEqual(0f, s.Weights.Grad.Data[2]);
        Assert.Contains(s.Keypoints.Grad!.Data, v => v != 0);
    }

    [Fact]
    public void Compute_TeacherInputs_ReceiveNoGradient()
    {
        var gen = new Generator(8);
        var s = Preds(gen, 4, grad: true);
        var t = Preds(gen, 5, spread: 3, grad: true);
        new KeypointDistributionLoss(new KdOptions()).Compute([s], [t]).Backward();
        Assert.Null(t.Keypoints.Grad);
        Assert.Null(t.Weights.Grad);
    }

    [Fact]
    public void Options_DefaultsAndParsing_FollowTheReferenceFlags()
    {
        var o = new KdOptions();
        Assert.Equal((KdLossType.Sinkhorn, 2, 0.001, 0.5, 0.5, true, false, 5.0), (o.GType, o.P, o.Blur, o.Scaling, o.Reach!.Value, o.WeightedOt, o.WotDetach, o.KdWeight));
        Assert.Equal(KdLossType.Energy, KdOptions.ParseGType("Energy"));
        Assert.Throws<ArgumentException>(() => KdOptions.ParseGType("wasserstein"));
        Assert.Throws<ArgumentException>(() => new KeypointDistributionLoss(new KdOptions { KdWeight = -1 }));
    }

    [Fact]
    public void Compute_GradientEnabledOff_BuildsNoGraph()
    {
        var gen = new Generator(9);
        using var _ = GradMode.NoGrad();
        var loss = new KeypointDistributionLoss(new KdOptions()).Compute([Preds(gen, 4, grad: true)], [Preds(gen, 3)]);
        Assert.False(loss.RequiresGrad);
    }
}
