using PoseKD.Geometry.Metrics;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Metrics;

public class PoseEvaluatorTests
{
    private static readonly double[] I3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    private static readonly double[] K = [500, 0, 320, 0, 500, 240, 0, 0, 1];

    [Fact]
    public void Compute_TranslationErrors_GivesHandComputedTable()
    {
        var cube = TestData.Cube(10).Vertices;
        var ev = new PoseEvaluator([cube], [100.0], [false]);
        // Errors 3, 8, 15, 40 mm (0.03, 0.08, 0.15, 0.40 d) at depths 600..900; one missing at 1200.
        double[] errs = [3, 8, 15, 40];
        double[] depths = [600, 700, 800, 900];
        for (int i = 0; i < 4; i++) ev.Add(0, K, I3, [0, 0, depths[i]], I3, [errs[i], 0, depths[i]]);
        ev.Add(0, K, I3, [0, 0, 1200], null, null);
        var rep = ev.Compute();
        var row = Assert.Single(rep.Classes);
        Assert.Equal(5, row.Count);
        Assert.Equal(new[] { 20.0, 40, 60, 80 }, row.Adi);
        // AUC: Σ_b #(e ≤ b·0.1)/5/1000 over b = 1..1000 for errors 3, 8, 15, 40 (missing = 1e10).
        double auc = (1000 - 29 + 1000 - 79 + 1000 - 149 + 1000 - 399) / 5.0 / 1000 * 100;
        Numeric.AssertClose(auc, row.Auc, 1e-9, 0);
        Assert.Equal(50, ev.Samples[4].Error2DPx);
        // Depth bins over [600, 1200 + 1e-5): width 200.0000033, so 800 still falls in bin 0 (as the reference).
        Assert.Equal(new[] { 3, 1, 1 }, rep.DepthBins.Select(b => b.Count).ToArray());
        Numeric.AssertClose([100f / 3, 200f / 3, 100, 100], rep.DepthBins[0].Adi.Select(x => (float)x).ToArray(), 1e-4, 0);
        Assert.Equal(new[] { 0.0, 0, 0, 0 }, rep.DepthBins[2].Adi);
        Numeric.AssertClose(40, rep.MeanAdi01, 1e-12, 0);
        Assert.Contains("ADI.10d", rep.Format());
    }

    [Fact]
    public void Add_SymmetricClass_UsesClosestPoints()
    {
        var cube = TestData.Cube(10).Vertices;
        var rot90 = Geometry.Rotations.RotationMath.AxisAngle([0, 0, 1], Math.PI / 2);
        var sym = new PoseEvaluator([cube], [34.6], [true]);
        var asym = new PoseEvaluator([cube], [34.6], [false]);
        Assert.Equal(0, sym.Add(0, K, I3, [0, 0, 700], rot90, [0, 0, 700]).Error3DMm, 9);
        Assert.True(asym.Add(0, K, I3, [0, 0, 700], rot90, [0, 0, 700]).Error3DMm > 10);
    }

    [Fact]
    public void Add_ReferenceSampling_UsesThousandVerticesDeterministically()
    {
        var rng = new Random(1);
        var pts = new double[3 * 3000];
        for (int i = 0; i < pts.Length; i++) pts[i] = rng.NextDouble() * 100;
        var r = Geometry.Rotations.RotationMath.AxisAngle([1, 0, 0], 0.05);
        double A(PoseEvaluationOptions o) => new PoseEvaluator([pts], [170.0], [false], o).Add(0, K, I3, [0, 0, 700], r, [0, 0, 700]).Error3DMm;
        double all = A(new PoseEvaluationOptions());
        double s1 = A(PoseEvaluationOptions.Reference);
        Assert.Equal(s1, A(PoseEvaluationOptions.Reference));
        Assert.NotEqual(all, s1);
        Numeric.AssertClose(all, s1, 0, 0.1);
    }

    [Fact]
    public void Auc_KnownErrors()
    {
        Numeric.AssertClose(0.501, PoseEvaluator.Auc([50.0 - 1e-9], 100, 1000), 1e-12, 0); // bins 500..1000
        Assert.Equal(0, PoseEvaluator.Auc([], 100, 1000));
        Assert.Equal(1, PoseEvaluator.Auc([0.0, 0.05], 100, 1000), 12);
    }
}
