using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Rotations;

public class RotationTests
{
    private static double[] Rx(double a) => [1, 0, 0, 0, Math.Cos(a), -Math.Sin(a), 0, Math.Sin(a), Math.Cos(a)];
    private static double[] Ry(double a) => [Math.Cos(a), 0, Math.Sin(a), 0, 1, 0, -Math.Sin(a), 0, Math.Cos(a)];
    private static double[] Rz(double a) => [Math.Cos(a), -Math.Sin(a), 0, Math.Sin(a), Math.Cos(a), 0, 0, 0, 1];

    private static void Close(double[] e, double[] a, double tol = 1e-12) =>
        Numeric.AssertClose(e.Select(x => (float)x).ToArray(), a.Select(x => (float)x).ToArray(), tol, 0);

    [Fact]
    public void RodriguesToMatrix_QuarterTurnAboutZ_IsRz()
    {
        Close(Rz(Math.PI / 2), Rodrigues.ToMatrix([0, 0, Math.PI / 2]));
        Close([1, 0, 0, 0, 1, 0, 0, 0, 1], Rodrigues.ToMatrix([0, 0, 0]));
    }

    [Theory]
    [InlineData(0.3, -0.2, 0.9)]
    [InlineData(1e-9, 0, 0)]
    [InlineData(0, Math.PI, 0)]
    [InlineData(2.0, 1.0, -1.5)]
    public void RodriguesFromMatrix_RoundTrips(double x, double y, double z)
    {
        double[] v = [x, y, z];
        var back = Rodrigues.FromMatrix(Rodrigues.ToMatrix(v));
        double theta = Math.Sqrt(x * x + y * y + z * z);
        if (Math.Abs(theta - Math.PI) < 1e-12)
            Assert.True(Math.Abs(Math.Abs(back[1]) - Math.PI) < 1e-9); // ±π about the same axis
        else
            for (int i = 0; i < 3; i++) Numeric.AssertClose(v[i], back[i], 1e-12, 1e-9);
    }

    [Fact]
    public void Quaternions_KnownRotation_MatchesAndRoundTrips()
    {
        double h = Math.PI / 8; // 45° about x
        var r = new double[9];
        Quaternions.ToMatrix([Math.Cos(h), Math.Sin(h), 0, 0], r);
        Close(Rx(Math.PI / 4), r);
        var rng = new Random(2);
        for (int i = 0; i < 20; i++)
        {
            var (rr, _) = TestData.RandomPose(rng);
            var q = Quaternions.FromMatrix(rr);
            var back = new double[9];
            Quaternions.ToMatrix(q, back);
            Close(rr, back, 1e-12);
        }
    }

    [Fact]
    public void EulerToMatrix_StaticConventions_MatchAxisProducts()
    {
        double a = 0.3, b = -0.7, c = 1.1;
        var r = new double[9];
        Euler.ToMatrix(a, b, c, "sxyz", r);
        Close(RotationMath.Multiply(Rz(c), RotationMath.Multiply(Ry(b), Rx(a))), r);
        Euler.ToMatrix(a, b, c, "szyx", r);
        Close(RotationMath.Multiply(Rx(c), RotationMath.Multiply(Ry(b), Rz(a))), r);
        Euler.ToMatrix(a, b, c, "syzx", r);
        Close(RotationMath.Multiply(Rx(c), RotationMath.Multiply(Rz(b), Ry(a))), r);
        Euler.ToMatrix(a, b, c, "rxyz", r);
        Close(RotationMath.Multiply(Rx(a), RotationMath.Multiply(Ry(b), Rz(c))), r);
    }

    [Theory]
    [InlineData("sxyz")]
    [InlineData("syzx")]
    [InlineData("szyx")]
    [InlineData("szxz")]
    [InlineData("rzyx")]
    public void EulerFromMatrix_RandomRotations_RoundTrip(string axes)
    {
        var rng = new Random(4);
        for (int i = 0; i < 20; i++)
        {
            var (rr, _) = TestData.RandomPose(rng);
            var (ai, aj, ak) = Euler.FromMatrix(rr, axes);
            var back = new double[9];
            Euler.ToMatrix(ai, aj, ak, axes, back);
            Close(rr, back, 1e-12);
        }
    }

    [Fact]
    public void EulerFromMatrix_GimbalLock_SetsLastAngleZero()
    {
        var r = new double[9];
        Euler.ToMatrix(0.4, Math.PI / 2, 0.0, "sxyz", r);
        var (_, aj, ak) = Euler.FromMatrix(r, "sxyz");
        Numeric.AssertClose(Math.PI / 2, aj, 1e-7, 0);
        Assert.Equal(0, ak);
    }

    [Fact]
    public void AngleDeg_KnownRotation_IsAngle()
    {
        Numeric.AssertClose(30, RotationMath.AngleDeg(Rz(Math.PI / 6), [1, 0, 0, 0, 1, 0, 0, 0, 1]), 1e-9, 0);
    }
}
