using PoseKD.Geometry.Pnp;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Pnp;

public class RansacEpnpTests
{
    [Fact]
    public void Solve_ExactCorrespondences_RecoversPoseTo1e6()
    {
        var (pw, uv, r, t) = EpnpTests.Problem(21, 40);
        var res = RansacEpnp.Solve(pw, uv, TestData.K, new RansacOptions { RoundInputsToFloat = false });
        Assert.True(res.Success, res.Reason);
        Assert.Equal(40, res.Inliers.Length);
        for (int i = 0; i < 9; i++) Numeric.AssertClose(r[i], res.R[i], 1e-6, 0, "R");
        for (int i = 0; i < 3; i++) Numeric.AssertClose(t[i], res.T[i], 1e-6, 0, "t");
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    [InlineData(35)]
    public void Solve_NoiseAndOutliers_RotationErrorBelowOneDegree(int seed)
    {
        var (pw, uv, r, t) = EpnpTests.Problem(seed, 80, noisePx: 1, outlierRatio: 0.2);
        var res = RansacEpnp.Solve(pw, uv, TestData.K);
        Assert.True(res.Success, res.Reason);
        Assert.True(TestData.RotationErrorDeg(r, res.R) < 1.0, $"rotation error {TestData.RotationErrorDeg(r, res.R)}°");
        Assert.InRange(res.Inliers.Length, 60, 68);
        double te = Math.Sqrt((t[0] - res.T[0]) * (t[0] - res.T[0]) + (t[1] - res.T[1]) * (t[1] - res.T[1]) + (t[2] - res.T[2]) * (t[2] - res.T[2]));
        Assert.True(te < 0.02 * t[2], $"translation error {te}");
    }

    [Fact]
    public void Solve_SameInputTwice_IsDeterministic()
    {
        var (pw, uv, _, _) = EpnpTests.Problem(40, 80, noisePx: 1, outlierRatio: 0.2);
        var a = RansacEpnp.Solve(pw, uv, TestData.K);
        var b = RansacEpnp.Solve(pw, uv, TestData.K);
        Assert.Equal(a.R, b.R);
        Assert.Equal(a.T, b.T);
        Assert.Equal(a.Inliers, b.Inliers);
    }

    [Fact]
    public void Solve_AllOutliers_FailsOrFinite()
    {
        var rng = new Random(5);
        var pw = new double[3 * 30];
        var uv = new double[2 * 30];
        for (int i = 0; i < pw.Length; i++) pw[i] = rng.NextDouble() * 100;
        for (int i = 0; i < uv.Length; i++) uv[i] = rng.NextDouble() * 5000;
        var res = RansacEpnp.Solve(pw, uv, TestData.K);
        Assert.All(res.R.Concat(res.T), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Solve_CoincidentPoints_Fails()
    {
        var pw = Enumerable.Repeat(new double[] { 1, 2, 3 }, 10).SelectMany(x => x).ToArray();
        var uv = Enumerable.Repeat(new double[] { 300, 200 }, 10).SelectMany(x => x).ToArray();
        var res = RansacEpnp.Solve(pw, uv, TestData.K);
        Assert.False(res.Success);
    }

    [Fact]
    public void UpdateNumIters_MatchesOpenCvFormula()
    {
        // log(0.01) / log(1 - 0.8^5) = 11.6 -> 12
        Assert.Equal(12, RansacEpnp.UpdateNumIters(0.99, 0.2, 5, 100));
        Assert.Equal(100, RansacEpnp.UpdateNumIters(0.99, 0.9, 5, 100));
        Assert.Equal(0, RansacEpnp.UpdateNumIters(0.99, 0.0, 5, 100));
    }
}
