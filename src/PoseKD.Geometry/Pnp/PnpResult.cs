namespace PoseKD.Geometry.Pnp;

/// <summary>
/// Outcome of a PnP solve: on success the pose X_c = R·X + t (R row-major 3×3, t in the object
/// points' unit), its Rodrigues vector, the inlier indices and the mean reprojection error (pixels)
/// over them; on failure <see cref="Success"/> is false, <see cref="Reason"/> says why and the pose
/// arrays hold the identity and zero (never NaN).
/// </summary>
public sealed class PnpResult
{
    /// <summary>True when a finite pose was found.</summary>
    public bool Success { get; }

    /// <summary>Why the solve failed (null on success).</summary>
    public string? Reason { get; }

    /// <summary>Rotation [9], row-major.</summary>
    public double[] R { get; }

    /// <summary>Translation [3].</summary>
    public double[] T { get; }

    /// <summary>Rodrigues rotation vector [3] of <see cref="R"/>.</summary>
    public double[] Rvec { get; }

    /// <summary>Indices of the correspondences used as inliers (all of them for plain EPnP).</summary>
    public int[] Inliers { get; }

    /// <summary>Mean reprojection error over <see cref="Inliers"/>, pixels.</summary>
    public double ReprojectionErrorPx { get; }

    private PnpResult(bool success, string? reason, double[] r, double[] t, int[] inliers, double err)
    {
        Success = success; Reason = reason; R = r; T = t; Inliers = inliers; ReprojectionErrorPx = err;
        Rvec = Rotations.Rodrigues.FromMatrix(r);
    }

    /// <summary>A successful result.</summary>
    public static PnpResult Ok(double[] r, double[] t, int[] inliers, double reprojectionErrorPx) => new(true, null, r, t, inliers, reprojectionErrorPx);

    /// <summary>A failure with the identity pose.</summary>
    public static PnpResult Fail(string reason) => new(false, reason, [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0], [], double.NaN);
}
