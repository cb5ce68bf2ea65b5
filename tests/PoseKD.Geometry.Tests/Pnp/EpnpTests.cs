using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Pnp;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Pnp;

public class EpnpTests
{
    internal static (double[] Pw, double[] Uv, double[] R, double[] T) Problem(int seed, int n, double noisePx = 0, double outlierRatio = 0)
    {
        var rng = new Random(seed);
        var (r, t) = TestData.RandomPose(rng);
        var pw = new double[3 * n];
        for (int i = 0; i < pw.Length; i++) pw[i] = rng.NextDouble() * 160 - 80;
        var uv = new double[2 * n];
        Camera.Project(r, t, TestData.K, pw, uv);
        for (int i = 0; i < uv.Length; i++) uv[i] += noisePx * TestData.Gauss(rng);
        int outliers = (int)Math.Round(outlierRatio * n);
        for (int i = 0; i < outliers; i++)
        {
            int j = (i * 7 + 3) % n;
            uv[2 * j] += 30 + rng.NextDouble() * 100 * (rng.Next(2) == 0 ? -1 : 1);
            uv[2 * j + 1] += 30 + rng.NextDouble() * 100 * (rng.Next(2) == 0 ? -1 : 1);
        }
        return (pw, uv, r, t);
    }

    [Fact]
    public void Solve_FourExactPoints_SucceedsWithFinitePose()
    {
        // EPnP's minimal case is ill-conditioned (OpenCV's gives errors up to 140° on such problems and
        // solvePnPRansac switches to P3P for 4 points); only success and finiteness are guaranteed.
        var (pw, uv, _, _) = Problem(1, 4);
        var res = Epnp.Solve(pw, uv, TestData.K);
        Assert.True(res.Success, res.Reason);
        Assert.All(res.R.Concat(res.T), v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [InlineData(2, 6)]
    [InlineData(3, 8)]
    [InlineData(4, 80)]
    public void Solve_ExactCorrespondences_RecoversPose(int seed, int n)
    {
        var (pw, uv, r, t) = Problem(seed, n);
        var res = Epnp.Solve(pw, uv, TestData.K);
        Assert.True(res.Success, res.Reason);
        Numeric.AssertClose(r.Select(x => (float)x).ToArray(), res.R.Select(x => (float)x).ToArray(), 1e-6, 0, "R");
        for (int i = 0; i < 3; i++) Numeric.AssertClose(t[i], res.T[i], 1e-6, 1e-8, "t");
        Assert.True(res.ReprojectionErrorPx < 1e-6);
    }

    [Fact]
    public void Solve_BoxCorners_RecoversPose()
    {
        var corners = Geometry.Meshes.MeshGeometry.BoxCorners([-37.9, -38.7, -45.9], [37.9, 38.7, 45.9]);
        var (r, t) = TestData.RandomPose(new Random(11));
        var uv = new double[16];
        Camera.Project(r, t, TestData.K, corners, uv);
        var res = Epnp.Solve(corners, uv, TestData.K);
        Assert.True(res.Success);
        Assert.True(TestData.RotationErrorDeg(r, res.R) < 1e-6, $"rotation error {TestData.RotationErrorDeg(r, res.R)} deg, reproj {res.ReprojectionErrorPx}");
    }

    [Fact]
    public void Solve_TooFewPoints_Fails()
    {
        var (pw, uv, _, _) = Problem(5, 3);
        var res = Epnp.Solve(pw, uv, TestData.K);
        Assert.False(res.Success);
        Assert.All(res.R.Concat(res.T), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Solve_CollinearPoints_Fails()
    {
        var pw = new double[3 * 6];
        for (int i = 0; i < 6; i++) { pw[3 * i] = i * 10; pw[3 * i + 1] = 2 * i; pw[3 * i + 2] = -i; }
        var uv = new double[12];
        Camera.Project([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 500], TestData.K, pw, uv);
        var res = Epnp.Solve(pw, uv, TestData.K);
        Assert.False(res.Success);
        Assert.Contains("collinear", res.Reason);
    }

    [Fact]
    public void Solve_NaNInput_Fails()
    {
        var (pw, uv, _, _) = Problem(6, 10);
        uv[5] = double.NaN;
        Assert.False(Epnp.Solve(pw, uv, TestData.K).Success);
        Assert.False(RansacEpnp.Solve(pw, uv, TestData.K).Success);
    }

    [Fact]
    public void Solve_ShapeMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Epnp.Solve(new double[12], new double[6], TestData.K));
        Assert.Throws<ArgumentException>(() => Epnp.Solve(new double[12], new double[8], new double[8]));
    }
}
