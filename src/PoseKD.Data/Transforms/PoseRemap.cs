using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Pnp;

namespace PoseKD.Data.Transforms;

/// <summary>
/// Re-derives a pose after an image warp (the reference's <c>remap_pose</c>): project the keypoints with
/// (K, R, t), map them through the 2×3 warp M, and solve EPnP against the new camera K'. Returns the new pose
/// and the mean reprojection difference in pixels.
/// </summary>
public static class PoseRemap
{
    /// <summary>New (R, t) under <paramref name="kDst"/> such that the keypoints land on their warped positions.</summary>
    public static (double[] R, double[] T, double ErrorPx) Remap(ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t,
        ReadOnlySpan<double> keypoints, ReadOnlySpan<double> kDst, ReadOnlySpan<double> warp)
    {
        int n = keypoints.Length / 3;
        var px = new double[2 * n];
        Camera.Project(r, t, k, keypoints, px);
        Affine2D.Apply(warp, px, px);
        var res = Epnp.Solve(keypoints, px, kDst);
        var check = new double[2 * n];
        Camera.Project(res.R, res.T, kDst, keypoints, check);
        double err = 0;
        for (int i = 0; i < n; i++) err += Math.Sqrt(Math.Pow(check[2 * i] - px[2 * i], 2) + Math.Pow(check[2 * i + 1] - px[2 * i + 1], 2));
        return (res.R, res.T, err / n);
    }
}
