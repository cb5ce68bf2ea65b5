using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Rotations;
using PoseKD.Model.Network;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Targets;
using PoseKD.Model.Tests.Targets;

namespace PoseKD.Model.Tests.PostProcessing;

public sealed class PostProcessorSyntheticTests
{
    private const int S = 256, C = 12;
    private static readonly int[] Grids = [32, 16, 8, 4];
    private static readonly double[] KInt = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];
    private static readonly double[] KOrig = [600, 0, 300, 0, 610, 250, 0, 0, 1];

    private static double[][] Table() => Enumerable.Range(0, C).Select(c => TargetCoderTests.Corners(30 + c, 40, 25 + 2 * c)).ToArray();

    /// <summary>An output whose cells on the object's projected box encode (R, t) of class <paramref name="classId"/> exactly.</summary>
    private static (PoseNetOutput Output, double[] Trans) Encode(int classId, double[] r, double[] t, double[][] table)
    {
        var px = new double[16];
        Camera.Project(r, t, KInt, table[classId], px);
        double x1 = px.Where((_, i) => i % 2 == 0).Min(), x2 = px.Where((_, i) => i % 2 == 0).Max();
        double y1 = px.Where((_, i) => i % 2 == 1).Min(), y2 = px.Where((_, i) => i % 2 == 1).Max();
        double side = 1.5 * Math.Max(x2 - x1, y2 - y1);
        var trans = Affine2D.CropTransform((x1 + x2) / 2, (y1 + y2) / 2, side, S, S);
        var crop = (double[])px.Clone();
        Affine2D.Apply(trans, crop, crop);
        double cx1 = crop.Where((_, i) => i % 2 == 0).Min(), cx2 = crop.Where((_, i) => i % 2 == 0).Max();
        double cy1 = crop.Where((_, i) => i % 2 == 1).Min(), cy2 = crop.Where((_, i) => i % 2 == 1).Max();
        var clsMaps = new List<Tensor>();
        var reg = new List<Tensor>();
        var off = new float[16];
        for (int k = 0; k < Grids.Length; k++)
        {
            int n = Grids[k], stride = S / n;
            var grid = new LevelGrid(n, n, stride, 32 << k);
            var c = Tensor.Full(-8f, 1, C, n, n);
            var g = Tensor.Zeros(1, 16 * C, n, n);
            for (int i = 0; i < n * n; i++)
            {
                float ax = grid.CenterX(i), ay = grid.CenterY(i);
                if (ax < cx1 || ax > cx2 || ay < cy1 || ay > cy2) continue;
                c.Data[classId * n * n + i] = 3f - 0.01f * i;
                TargetCoder.Encode(KInt, table[classId], r, t, trans, ax, ay, grid.AnchorSize, off);
                for (int j = 0; j < 16; j++) g.Data[(16 * classId + j) * n * n + i] = off[j];
            }
            clsMaps.Add(c); reg.Add(g);
        }
        return (new PoseNetOutput([], clsMaps, reg), trans);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    public void Predict_ExactEncoding_RecoversPoseInBothCameras(int classId)
    {
        var table = Table();
        var r = RotationMath.AxisAngle([0.2, 0.9, -0.3], 2.1);
        double[] t = [35, -20, 720];
        var (output, trans) = Encode(classId, r, t, table);
        var pp = new PostProcessor(new HeadOptions(), table);
        var info = new PoseImageInfo { K = KInt, BboxTrans = trans, OriginalK = KOrig };
        var p = Assert.Single(Assert.Single(pp.Predict(output, [info])));
        Assert.Equal(classId, p.ClassId);
        var expectedR = classId == 10 ? SymmetryCanonicalizer.Canonicalize(r, [new EulerModulo('Z', 180)]) : r;
        // projecting with K_int then warping by K_orig·K_int⁻¹ equals projecting with K_orig: the remapped pose is the same
        foreach (var (rr, tt) in new[] { (p.RInternal, p.TInternal), (p.R, p.T) })
        {
            Assert.True(RotationMath.AngleDeg(expectedR, rr) * Math.PI / 180 < 1e-3, $"rotation error {RotationMath.AngleDeg(expectedR, rr)}°");
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(t[i] - tt[i]) < 1, $"t[{i}] = {tt[i]}, expected {t[i]}");
        }
        Assert.Equal(p.Keypoints.Length / 2, p.InlierCount);
        Assert.Equal(p.CellScores.Max(), p.Score, 6);
        Assert.InRange(p.Score * p.Score, 1 / (1 + Math.Exp(-2.0)), 1 / (1 + Math.Exp(-3.0)) + 1e-6);
        int total = p.Cells.Count;
        Assert.InRange(total, 5, 12);
    }

    [Fact]
    public void Predict_ClassFilter_SkipsOtherClasses()
    {
        var table = Table();
        var (output, trans) = Encode(3, RotationMath.AxisAngle([1, 0, 0], 0.4), [0, 0, 650], table);
        var pp = new PostProcessor(new HeadOptions(), table);
        var preds = pp.Predict(output, [new PoseImageInfo { K = KInt, BboxTrans = trans, ClassFilter = [5] }]);
        Assert.Empty(preds[0]);
    }

    [Fact]
    public void CellDecoder_AtSelectedCells_EqualsPostProcessedKeypoints()
    {
        var table = Table();
        var (output, trans) = Encode(3, RotationMath.AxisAngle([0, 1, 0], 0.7), [10, 5, 800], table);
        var pp = new PostProcessor(new HeadOptions(), table);
        var teacher = Assert.Single(pp.TeacherKnowledge(output, [new PoseImageInfo { K = KInt, BboxTrans = trans }]));
        var again = CellDecoder.Decode(output, 0, teacher.Cells, 3, trans, new HeadOptions());
        PoseKD.TestSupport.Numeric.AssertClose(teacher.Keypoints.Data, again.Keypoints.Data, atol: 1e-3, rtol: 1e-6);
        for (int i = 0; i < teacher.Count; i++)
            Assert.Equal(teacher.Weights.Data[i] * teacher.Weights.Data[i], again.Weights.Data[i], 5);
    }
}
