using PoseKD.Engine.Tensors;
using PoseKD.Model.Losses;
using PoseKD.Model.Targets;
using PoseKD.TestSupport;
using Xunit.Abstractions;

namespace PoseKD.Model.Tests.Losses;

public sealed class PoseLossGoldenTests(ITestOutputHelper log)
{
    private static readonly HeadFixture Fx = new("loss.safetensors");

    private static HeadTargets ReferenceTargets(out HeadLayout layout)
    {
        layout = HeadLayout.From(Fx.Output(false), HeadFixture.Options);
        var labels = Fx.I64("labels").Select(v => (int)v).ToArray();
        return TargetBuilder.FromLabels(Fx.Samples, Fx.Keypoints3d, layout, labels);
    }

    /// <summary>A tensor's gradient, zeros when nothing reached it (a level without positives).</summary>
    private static float[] GradOf(Tensor t) => t.Grad?.Data ?? new float[t.Numel];

    /// <summary>Largest |g| over the levels of a recorded gradient (the scale of the 10⁻⁴ gradient tolerance:
    /// smooth-L1's quadratic zone makes a gradient the difference of two pixel positions, so float32 rounding of
    /// ~300 px coordinates shows up absolutely, not relatively).</summary>
    private static double MaxAbs(string prefix) => Enumerable.Range(0, HeadFixture.Levels).Max(k => Fx.F32($"{prefix}{k}").Max(v => Math.Abs((double)v)));

    private static double Rel(double expected, double actual) => Math.Abs(actual - expected) / Math.Abs(expected);

    private static double GradErr(string prefix, IReadOnlyList<Tensor> ts)
    {
        double err = 0;
        for (int k = 0; k < ts.Count; k++)
        {
            var e = Fx.F32($"{prefix}{k}"); var a = GradOf(ts[k]);
            for (int i = 0; i < e.Length; i++) err = Math.Max(err, Math.Abs(e[i] - a[i]));
        }
        return err / MaxAbs(prefix);
    }

    [Fact]
    public void FromLabels_ReferenceLabels_RegressionTargetsAndCameraPointsMatch()
    {
        var targets = ReferenceTargets(out _);
        var pos = Fx.I64("positives");
        Assert.Equal(pos.Length, targets.Positives.Count);
        var total = targets.Layout.TotalCells;
        for (int i = 0; i < pos.Length; i++)
        {
            var p = targets.Positives[i];
            Assert.Equal(pos[i], p.Image * total + targets.Layout.LevelOffset(p.Level) + p.Index);
        }
        Numeric.AssertClose(Fx.F32("reg_targets"), targets.Positives.SelectMany(p => p.Offsets).ToArray(), atol: 1e-5, rtol: 1e-5, what: "reg targets");
        Numeric.AssertClose(Fx.F32("camera_keypoints"), targets.Positives.SelectMany(p => p.CameraKeypoints.Select(v => (float)v)).ToArray(), atol: 1e-3, rtol: 1e-5, what: "camera keypoints");
    }

    [Fact]
    public void Build_OwnSampling_SameCountsAndTouchedCellsAsReference()
    {
        // the draws differ (another generator), but per level the number of positives and the set of cells on the
        // mask (positive or ignored) are fixed by the reference's rules
        var layout = HeadLayout.From(Fx.Output(false), HeadFixture.Options);
        var mine = TargetBuilder.Build(Fx.Samples, Fx.Keypoints3d, layout, HeadFixture.Options, new Generator(99));
        var reference = Fx.I64("labels");
        for (int b = 0; b < HeadFixture.Batch; b++)
            for (int k = 0; k < layout.Levels.Count; k++)
            {
                int start = b * layout.TotalCells + layout.LevelOffset(k), n = layout.Levels[k].Count;
                Assert.Equal(reference.Skip(start).Take(n).Count(v => v > 0), mine.Labels.Skip(start).Take(n).Count(v => v > 0));
                for (int i = start; i < start + n; i++) Assert.Equal(reference[i] != 0, mine.Labels[i] != 0);
            }
    }

    [Fact]
    public void Compute_ObjectSpace_LossesAndGradientsMatchReference()
    {
        var targets = ReferenceTargets(out _);
        var output = Fx.Output(true);
        var res = new PoseLoss(HeadFixture.Options).Compute(output, targets);
        Numeric.AssertClose(Fx.F32("loss_cls")[0], res.ClsLoss.Item(), atol: 0, rtol: 1e-5, what: "loss_cls");
        Numeric.AssertClose(Fx.F32("loss_reg_3d")[0], res.RegLoss.Item(), atol: 0, rtol: 1e-5, what: "loss_reg 3D");
        log.WriteLine($"loss_cls rel {Rel(Fx.F32("loss_cls")[0], res.ClsLoss.Item()):E2}, loss_reg 3D rel {Rel(Fx.F32("loss_reg_3d")[0], res.RegLoss.Item()):E2}");
        (res.ClsLoss + res.RegLoss).Backward();
        log.WriteLine($"grad cls max |Δ|/max|g| {GradErr("grad_cls", output.ClsLogits):E2}, grad reg 3D {GradErr("grad_reg3d", output.PoseReg):E2}");
        for (int k = 0; k < HeadFixture.Levels; k++)
        {
            Numeric.AssertClose(Fx.F32($"grad_cls{k}"), GradOf(output.ClsLogits[k]), atol: 1e-4 * MaxAbs("grad_cls"), rtol: 1e-4, what: $"grad cls level {k}");
            Numeric.AssertClose(Fx.F32($"grad_reg3d{k}"), GradOf(output.PoseReg[k]), atol: 1e-4 * MaxAbs("grad_reg3d"), rtol: 1e-4, what: $"grad reg level {k}");
        }
    }

    [Fact]
    public void Compute_ImageSpace_LossAndGradientsMatchReference()
    {
        var targets = ReferenceTargets(out _);
        var output = Fx.Output(true);
        var res = new PoseLoss(HeadFixture.Options with { LossRegType = RegressionLossKind.ImageSpace2D }).Compute(output, targets);
        Numeric.AssertClose(Fx.F32("loss_reg_2d")[0], res.RegLoss.Item(), atol: 0, rtol: 1e-5, what: "loss_reg 2D");
        log.WriteLine($"loss_reg 2D rel {Rel(Fx.F32("loss_reg_2d")[0], res.RegLoss.Item()):E2}");
        res.RegLoss.Backward();
        log.WriteLine($"grad reg 2D max |Δ|/max|g| {GradErr("grad_reg2d", output.PoseReg):E2}");
        for (int k = 0; k < HeadFixture.Levels; k++)
            Numeric.AssertClose(Fx.F32($"grad_reg2d{k}"), GradOf(output.PoseReg[k]), atol: 1e-4 * MaxAbs("grad_reg2d"), rtol: 1e-4, what: $"grad reg 2D level {k}");
    }

    [Theory]
    [InlineData(RegressionLossKind.ObjectSpace3D)]
    [InlineData(RegressionLossKind.ImageSpace2D)]
    public void Compute_RegressionGradient_MatchesFiniteDifferences(RegressionLossKind kind)
    {
        var targets = ReferenceTargets(out _);
        var loss = new PoseLoss(HeadFixture.Options with { LossRegType = kind });
        var output = Fx.Output(true);
        loss.Compute(output, targets).RegLoss.Backward();
        var p = targets.Positives[3];
        var reg = output.PoseReg[p.Level];
        int hw = reg.Shape[2] * reg.Shape[3];
        foreach (int j in new[] { 0, 5, 9, 15 })
        {
            int idx = ((p.Image * 16 * HeadFixture.Classes) + 16 * p.ClassId + j) * hw + p.Index;
            double Eval(float delta)
            {
                var o = Fx.Output(false);
                o.PoseReg[p.Level].Data[idx] += delta;
                return loss.Compute(o, targets).RegLoss.Item();
            }
            const float h = 1e-3f;
            double fd = (Eval(h) - Eval(-h)) / (2 * h);
            Numeric.AssertClose(fd, reg.Grad!.Data[idx], atol: 2e-3 * Math.Max(1, Math.Abs(fd)), rtol: 1e-2, what: $"{kind} gradient of offset {j}");
        }
    }

    [Fact]
    public void Compute_Weights_TermsAreWeightedAndSummed()
    {
        var targets = ReferenceTargets(out _);
        var res = new PoseLoss(HeadFixture.Options).Compute(Fx.Output(false), targets);
        Assert.Equal([PoseLoss.ClsTerm, PoseLoss.RegTerm], res.Terms.Keys.ToArray());
        Numeric.AssertClose(0.1 * res.ClsLoss.Item(), res.Terms[PoseLoss.ClsTerm].Item(), rtol: 1e-6);
        Numeric.AssertClose(res.RegLoss.Item(), res.Terms[PoseLoss.RegTerm].Item(), rtol: 1e-6);
        Numeric.AssertClose(res.Terms.Values.Sum(t => (double)t.Item()), res.Total.Item(), rtol: 1e-6);
    }

    [Fact]
    public void Compute_Student_LocalPredictionsAtPositivesInImagePixels()
    {
        var targets = ReferenceTargets(out _);
        var output = Fx.Output(true);
        var res = new PoseLoss(HeadFixture.Options).Compute(output, targets);
        Assert.Equal(HeadFixture.Batch, res.Student.Count);
        Assert.Equal(targets.PositivesPerImage(), res.Student.Select(s => s.Count).ToArray());
        int row = 0;
        for (int b = 0; b < HeadFixture.Batch; b++)
        {
            var lp = res.Student[b];
            Assert.Equal([lp.Count, 8, 2], lp.Keypoints.Shape);
            for (int i = 0; i < lp.Count; i++, row++)
            {
                var p = targets.Positives[row];
                Assert.Equal(new PoseKD.Model.Distillation.CellRef(p.Level, p.Index), lp.Cells[i]);
                var off = new float[16];
                var reg = output.PoseReg[p.Level];
                int hw = reg.Shape[2] * reg.Shape[3];
                for (int j = 0; j < 16; j++) off[j] = reg.Data[((b * 16 * HeadFixture.Classes) + 16 * p.ClassId + j) * hw + p.Index];
                var kp = new float[16];
                TargetCoder.Decode(off, p.CenterX, p.CenterY, p.AnchorSize, p.BboxTrans, kp);
                for (int j = 0; j < 8; j++)
                {
                    Numeric.AssertClose(kp[j], lp.Keypoints.Data[16 * i + 2 * j], atol: 1e-3, rtol: 1e-5);
                    Numeric.AssertClose(kp[8 + j], lp.Keypoints.Data[16 * i + 2 * j + 1], atol: 1e-3, rtol: 1e-5);
                }
                float logit = output.ClsLogits[p.Level].Data[(b * HeadFixture.Classes + p.ClassId) * hw + p.Index];
                Numeric.AssertClose(1 / (1 + Math.Exp(-logit)), lp.Weights.Data[i], rtol: 1e-5);
            }
        }
        // attached: a loss on the student's weights reaches the class logits
        var sum = res.Student[0].Weights.Sum() + res.Student[0].Keypoints.Sum();
        sum.Backward();
        Assert.Contains(output.ClsLogits.SelectMany(t => t.Grad?.Data ?? []), v => v != 0);
        Assert.Contains(output.PoseReg.SelectMany(t => t.Grad?.Data ?? []), v => v != 0);
    }

    [Fact]
    public void Compute_NoPositives_RegressionIsSumOfOutputs()
    {
        var layout = HeadLayout.From(Fx.Output(false), HeadFixture.Options);
        var labels = new int[HeadFixture.Batch * layout.TotalCells];
        var targets = TargetBuilder.FromLabels(Fx.Samples, Fx.Keypoints3d, layout, labels);
        var output = Fx.Output(false);
        var res = new PoseLoss(HeadFixture.Options).Compute(output, targets);
        double expected = output.PoseReg.Sum(t => t.Data.Sum(v => (double)v));
        Numeric.AssertClose(expected, res.RegLoss.Item(), atol: 1e-2, rtol: 1e-4);
        Assert.All(res.Student, s => Assert.Equal(0, s.Count));
    }

    [Fact]
    public void Compute_TargetsOfOtherLayout_Throws()
    {
        var layout = new HeadLayout([new LevelGrid(4, 4, 8, 32)], HeadFixture.Classes);
        var targets = new HeadTargets { Layout = layout, BatchSize = 2, Labels = new int[32], Positives = [] };
        var ex = Assert.Throws<ArgumentException>(() => new PoseLoss(HeadFixture.Options).Compute(Fx.Output(false), targets));
        Assert.Contains("do not fit", ex.Message);
    }
}
