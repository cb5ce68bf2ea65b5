using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Rotations;

public class SymmetryCanonicalizerTests
{
    private static double[] Szyx(double a, double b, double c)
    {
        var r = new double[9];
        Euler.ToMatrix(a, b, c, "szyx", r);
        return r;
    }

    [Fact]
    public void Canonicalize_ZModulo180_FoldsZAngle()
    {
        double d = Math.PI / 180;
        var r = Szyx(200 * d, 10 * d, -30 * d);
        var c = SymmetryCanonicalizer.Canonicalize(r, [new EulerModulo('Z', 180)]);
        var (ai, aj, ak) = Euler.FromMatrix(c, "szyx");
        // atan2 gives 200° as −160°, fmod(−160°, 180°) = −160° (sign of the dividend, as np.fmod).
        Numeric.AssertClose(-160 * d, ai, 1e-12, 0);
        Numeric.AssertClose(10 * d, aj, 1e-12, 0);
        Numeric.AssertClose(-30 * d, ak, 1e-12, 0);
        var r2 = Szyx(100 * d, 10 * d, -30 * d);
        var (bi, _, _) = Euler.FromMatrix(SymmetryCanonicalizer.Canonicalize(r2, [new EulerModulo('Z', 90)]), "szyx");
        Numeric.AssertClose(10 * d, bi, 1e-12, 0);
    }

    [Fact]
    public void Canonicalize_ModuloZero_RemovesRotationAboutAxis()
    {
        var r = Szyx(0.7, 0.2, 0.1);
        var c = SymmetryCanonicalizer.Canonicalize(r, [new EulerModulo('Z', 0)]);
        var (ai, aj, ak) = Euler.FromMatrix(c, "szyx");
        Assert.Equal(0, ai, 12);
        Numeric.AssertClose(0.2, aj, 1e-12, 0);
        Numeric.AssertClose(0.1, ak, 1e-12, 0);
    }

    [Fact]
    public void Canonicalize_AppliedTwice_IsIdempotent()
    {
        var rng = new Random(8);
        var rules = SymmetryCanonicalizer.Parse(["X", "180", "Y", "180", "Z", "180"]);
        for (int i = 0; i < 10; i++)
        {
            var (r, _) = TestData.RandomPose(rng);
            var a = SymmetryCanonicalizer.Canonicalize(r, rules);
            var b = SymmetryCanonicalizer.Canonicalize(a, rules);
            Numeric.AssertClose(a.Select(x => (float)x).ToArray(), b.Select(x => (float)x).ToArray(), 1e-9, 0, "idempotent");
        }
    }

    [Fact]
    public void Parse_Malformed_Throws()
    {
        Assert.Throws<FormatException>(() => SymmetryCanonicalizer.Parse(["X"]));
        Assert.Throws<FormatException>(() => SymmetryCanonicalizer.Parse(["W", "180"]));
        Assert.Throws<FormatException>(() => SymmetryCanonicalizer.Parse(["X", "half"]));
        Assert.Equal([new EulerModulo('Z', 180)], SymmetryCanonicalizer.Parse(["'Z'", "180"]));
    }
}
