using PoseKD.Geometry.Meshes;
using PoseKD.Geometry.Metrics;
using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Metrics;

public class PoseErrorsTests
{
    private static readonly double[] I3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

    [Fact]
    public void Add_PureTranslationOffset_IsOffsetLength()
    {
        var cube = TestData.Cube(10).Vertices;
        Numeric.AssertClose(5, PoseErrors.Add(cube, I3, [0, 0, 500], I3, [3, 4, 500]), 1e-12, 0);
    }

    [Fact]
    public void Add_RotationAboutZ_IsMeanChordLength()
    {
        // Cube corners at radius √2·h from the z axis; a rotation by θ moves each by 2·r·sin(θ/2).
        double h = 10, th = Math.PI / 3;
        var cube = TestData.Cube(h).Vertices;
        var r = RotationMath.AxisAngle([0, 0, 1], th);
        Numeric.AssertClose(2 * Math.Sqrt(2) * h * Math.Sin(th / 2), PoseErrors.Add(cube, I3, [0, 0, 500], r, [0, 0, 500]), 1e-12, 0);
    }

    [Fact]
    public void Adi_PoseEqualUpToSymmetry_IsZeroWhileAddIsNot()
    {
        var cube = TestData.Cube(10).Vertices;
        var rGt = RotationMath.AxisAngle([1, 2, 3], 0.4);
        var rEst = RotationMath.Multiply(rGt, RotationMath.AxisAngle([0, 0, 1], Math.PI / 2)); // cube symmetry
        double[] t = [10, -20, 700];
        Assert.True(PoseErrors.Add(cube, rGt, t, rEst, t) > 5);
        Numeric.AssertClose(0, PoseErrors.Adi(cube, rGt, t, rEst, t), 1e-9, 0);
    }

    [Fact]
    public void Adi_EqualsBruteForceClosestPoint()
    {
        var rng = new Random(12);
        var pts = new double[3 * 500];
        for (int i = 0; i < pts.Length; i++) pts[i] = TestData.Gauss(rng) * 30;
        var (r1, t1) = TestData.RandomPose(rng);
        var (r2, _) = TestData.RandomPose(rng);
        var t2 = new[] { t1[0] + 5, t1[1], t1[2] - 3 };
        var g = new double[pts.Length];
        var e = new double[pts.Length];
        Geometry.Cameras.Camera.Transform(r1, t1, pts, g);
        Geometry.Cameras.Camera.Transform(r2, t2, pts, e);
        double sum = 0;
        for (int i = 0; i < 500; i++)
        {
            double best = double.MaxValue;
            for (int j = 0; j < 500; j++)
            {
                double dx = g[3 * i] - e[3 * j], dy = g[3 * i + 1] - e[3 * j + 1], dz = g[3 * i + 2] - e[3 * j + 2];
                best = Math.Min(best, dx * dx + dy * dy + dz * dz);
            }
            sum += Math.Sqrt(best);
        }
        Numeric.AssertClose(sum / 500, PoseErrors.Adi(pts, r1, t1, r2, t2), 1e-9, 1e-12);
    }

    [Fact]
    public void ReferenceErrors_Translation_Gives3DAnd2DErrors()
    {
        var cube = TestData.Cube(10).Vertices;
        double[] k = [500, 0, 320, 0, 500, 240, 0, 0, 1];
        var (e3, e2) = PoseErrors.ReferenceErrors(cube, k, I3, [0, 0, 1000], I3, [2, 0, 1000], symmetric: false);
        Numeric.AssertClose(2, e3, 1e-12, 0);
        // Every projected point moves by fx·2/z_i; mean over the corners (z = 990 and 1010).
        Numeric.AssertClose(0.5 * (1000.0 / 990 + 1000.0 / 1010), e2, 1e-6, 0);
        Numeric.AssertClose(e2, PoseErrors.Reprojection(cube, k, I3, [0, 0, 1000], I3, [2, 0, 1000]), 1e-6, 0);
    }

    [Fact]
    public void Mssd_DiscreteSymmetry_IsZeroForSymmetricPose()
    {
        var cube = TestData.Cube(10).Vertices;
        var info = new ModelInfo { Diameter = 34.64 };
        info.SymmetriesDiscrete.Add([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]); // 180° about z
        var syms = SymmetryTransforms.For(info);
        Assert.Equal(2, syms.Count);
        var rEst = RotationMath.AxisAngle([0, 0, 1], Math.PI);
        double[] t = [0, 0, 800];
        Numeric.AssertClose(0, PoseErrors.Mssd(cube, I3, t, rEst, t, syms), 1e-9, 0);
        // Without the symmetry: max distance = corner moved by 180° about z = 2·√2·10.
        Numeric.AssertClose(2 * Math.Sqrt(2) * 10, PoseErrors.Mssd(cube, I3, t, rEst, t, [RigidTransform.Identity]), 1e-9, 0);
        double[] k = [500, 0, 320, 0, 500, 240, 0, 0, 1];
        Numeric.AssertClose(0, PoseErrors.Mspd(cube, k, I3, t, rEst, t, syms), 1e-6, 0);
    }

    [Fact]
    public void Mssd_Translation_IsMaxDistance()
    {
        var cube = TestData.Cube(10).Vertices;
        Numeric.AssertClose(5, PoseErrors.Mssd(cube, I3, [0, 0, 800], I3, [3, 4, 800], [RigidTransform.Identity]), 1e-12, 0);
    }

    [Fact]
    public void SymmetryTransforms_Continuous_DiscretisedAsBopToolkit()
    {
        var info = new ModelInfo { Diameter = 100 };
        info.SymmetriesContinuous.Add(new ContinuousSymmetry([0, 0, 1], [0, 0, 0]));
        var syms = SymmetryTransforms.For(info);
        Assert.Equal(314, syms.Count); // ceil(π / 0.01) = 315 steps, i = 1..314
        Numeric.AssertClose(2 * Math.PI / 315 * 180 / Math.PI, RotationMath.AngleDeg(syms[0].R, I3), 1e-9, 0);
    }

    [Fact]
    public void RotationAndTranslationErrors_Known()
    {
        Numeric.AssertClose(90, PoseErrors.RotationErrorDeg(I3, RotationMath.AxisAngle([0, 1, 0], Math.PI / 2)), 1e-9, 0);
        Numeric.AssertClose(13, PoseErrors.TranslationError([0, 0, 0], [3, 4, 12]), 1e-12, 0);
    }
}
