namespace PoseKD.Geometry.Pnp;

/// <summary>
/// EPnP (Lepetit, Moreno-Noguer, Fua, "EPnP: An Accurate O(n) Solution to the PnP Problem", IJCV 2009)
/// with the behaviour of OpenCV's <c>solvePnP(..., SOLVEPNP_EPNP)</c>: pixels are compared through
/// fx, fy, cx, cy (skew ignored, no distortion).
/// </summary>
public static class Epnp
{
    /// <summary>
    /// Pose (R, t) with pixel_i ≈ π(K·(R·X_i + t)) from n ≥ 4 object points [n, 3] and image points
    /// [n, 2]. Fails (no exception, no NaN) with fewer than 4 points, non-finite values or collinear
    /// object points; throws <see cref="ArgumentException"/> on shape mismatches or an invalid K [9].
    /// </summary>
    public static PnpResult Solve(ReadOnlySpan<double> objectPoints, ReadOnlySpan<double> imagePoints, ReadOnlySpan<double> k)
    {
        int n = PnpInput.Check(objectPoints, imagePoints, k);
        if (n < 4) return PnpResult.Fail($"EPnP needs at least 4 points, got {n}");
        if (!PnpInput.AllFinite(objectPoints) || !PnpInput.AllFinite(imagePoints)) return PnpResult.Fail("input points contain NaN or infinity");
        var solver = new EpnpSolver();
        var r = new double[9];
        var t = new double[3];
        if (!solver.Compute(objectPoints, imagePoints, n, k, r, t, out double err)) return PnpResult.Fail(solver.Reason);
        var inliers = new int[n];
        for (int i = 0; i < n; i++) inliers[i] = i;
        return PnpResult.Ok(r, t, inliers, err);
    }
}
