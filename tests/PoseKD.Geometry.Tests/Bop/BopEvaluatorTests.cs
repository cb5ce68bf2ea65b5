using PoseKD.Geometry.Bop;
using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Bop;

public class BopEvaluatorTests
{
    private static readonly double[] I3 = BopTestDataset.I3;

    internal static List<BopResult> Estimates() =>
    [
        // obj 1, image 1: 2 mm off in x → ADD = MSSD = 2 mm (0.058 d), MSPD = 500·2/490 px.
        new(1, 1, 1, 0.9, I3, [2, 0, 500]),
        // obj 2, image 1: instance B turned by 180° about z (a symmetry) → ADI = MSSD = MSPD = 0.
        new(1, 1, 2, 0.8, RotationMath.AxisAngle([0, 0, 1], Math.PI), [-100, 0, 600]),
        // obj 2, image 1: instance A pushed 30 mm back → ADI 20 mm, MSSD 30 mm, MSPD 5.157 px.
        new(1, 1, 2, 0.7, I3, [100, 0, 630]),
        // image 2 has no estimate.
    ];

    [Fact]
    public void Evaluate_HandComputedScene_GivesExpectedRecalls()
    {
        using var ds = new BopTestDataset();
        var ev = BopEvaluator.Evaluate(ds.Root, "test", Estimates());
        Assert.Equal(4, ev.Overall.Targets);
        Numeric.AssertClose(0.5, ev.Overall.AddRecall, 1e-12, 0, "ADD(-S) recall");
        var o1 = ev.Objects.Single(o => o.ObjId == 1);
        var o2 = ev.Objects.Single(o => o.ObjId == 2);
        Numeric.AssertClose(0.45, o1.ArMssd, 1e-12, 0, "obj1 AR_MSSD");
        Numeric.AssertClose(0.6, o2.ArMssd, 1e-12, 0, "obj2 AR_MSSD");
        Numeric.AssertClose(0.525, ev.Overall.ArMssd, 1e-12, 0, "AR_MSSD");
        Numeric.AssertClose(0.5, o1.ArMspd, 1e-12, 0, "obj1 AR_MSPD");
        Numeric.AssertClose(0.95, o2.ArMspd, 1e-12, 0, "obj2 AR_MSPD");
        Numeric.AssertClose(0.725, ev.Overall.ArMspd, 1e-12, 0, "AR_MSPD");
        Numeric.AssertClose(0.5, ev.MeanObjectAddRecall, 1e-12, 0);
        Assert.Contains(ev.Notes, n => n.Contains("VSD"));
    }

    [Fact]
    public void Evaluate_HandComputedScene_RecordsPerEstimateErrors()
    {
        using var ds = new BopTestDataset();
        var ev = BopEvaluator.Evaluate(ds.Root, "test", Estimates());
        Assert.Equal(1 + 2 * 2, ev.Errors.Count); // obj 1: 1 est × 1 GT; obj 2: 2 est × 2 GT
        var e1 = ev.Errors.Single(e => e.ObjId == 1);
        Numeric.AssertClose(2, e1.Add, 1e-9, 0);
        Numeric.AssertClose(2, e1.Mssd, 1e-9, 0);
        Numeric.AssertClose(500 * 2 / 490.0, e1.Mspd, 1e-9, 0);
        Numeric.AssertClose(0, e1.ReDeg, 1e-6, 0);
        Numeric.AssertClose(2, e1.TeMm, 1e-12, 0);
        var eB = ev.Errors.Single(e => e.ObjId == 2 && e.EstRank == 0 && e.GtId == 2);
        Numeric.AssertClose(0, eB.Adi, 1e-9, 0);
        Numeric.AssertClose(0, eB.Mssd, 1e-9, 0);
        Assert.True(eB.Add > 20);
        Numeric.AssertClose(180, eB.ReDeg, 1e-6, 0);
        var eA = ev.Errors.Single(e => e.ObjId == 2 && e.EstRank == 1 && e.GtId == 1);
        Numeric.AssertClose(20, eA.Adi, 1e-9, 0);
        Numeric.AssertClose(30, eA.Mssd, 1e-9, 0);
        double du = 500 * 120 / 580.0 - 500 * 120 / 610.0, dv = 500 * 20 / 580.0 - 500 * 20 / 610.0;
        Numeric.AssertClose(Math.Sqrt(du * du + dv * dv), eA.Mspd, 1e-9, 0);
    }

    [Fact]
    public void Evaluate_InstCountOne_OnlyMostVisibleInstanceIsValidAndTopEstimateCounts()
    {
        using var ds = new BopTestDataset(withTargets: false);
        File.WriteAllText(Path.Combine(ds.Root, "targets1.json"), "[{\"im_id\": 1, \"inst_count\": 1, \"obj_id\": 2, \"scene_id\": 1}]");
        // A (visib 0.9) is valid, B (0.8) is not: an exact estimate of B scores nothing, even with the higher score.
        List<BopResult> res = [new(1, 1, 2, 0.9, I3, [-100, 0, 600]), new(1, 1, 2, 0.5, I3, [100, 0, 600])];
        var ev = BopEvaluator.Evaluate(ds.Root, "test", res, Path.Combine(ds.Root, "targets1.json"));
        Assert.Equal(1, ev.Overall.Targets);
        Assert.Equal(0, ev.Overall.AddRecall);
        // Only the top-1 estimate is evaluated (inst_count = 1).
        Assert.All(ev.Errors, e => Assert.Equal(0, e.EstRank));
    }

    [Fact]
    public void Evaluate_NoTargetsFile_UsesEveryGtInstance()
    {
        using var ds = new BopTestDataset(withTargets: false);
        var ev = BopEvaluator.Evaluate(ds.Root, "test", Estimates());
        Assert.Equal(4, ev.Overall.Targets);
        Assert.Contains(ev.Notes, n => n.Contains("no targets file"));
    }

    [Fact]
    public void Evaluate_PrefersModelsEval()
    {
        using var ds = new BopTestDataset();
        var eval = Directory.CreateDirectory(Path.Combine(ds.Root, "models_eval")).FullName;
        foreach (var f in Directory.GetFiles(Path.Combine(ds.Root, "models"))) File.Copy(f, Path.Combine(eval, Path.GetFileName(f)));
        var ev = BopEvaluator.Evaluate(ds.Root, "test", Estimates());
        Assert.EndsWith("models_eval", ev.ModelsDir);
    }

    [Fact]
    public void Evaluate_MalformedSceneGt_ThrowsNamingFileAndField()
    {
        using var ds = new BopTestDataset();
        File.WriteAllText(Path.Combine(ds.Root, "test", "000001", "scene_gt.json"), "{\"1\": [{\"cam_R_m2c\": [1, 0, 0], \"cam_t_m2c\": [0, 0, 1], \"obj_id\": 1}]}");
        var e = Assert.Throws<BopFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", Estimates()));
        Assert.Equal("1[0].cam_R_m2c", e.Field);
        Assert.Contains("scene_gt.json", e.Message);
    }
}
