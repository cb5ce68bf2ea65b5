namespace PoseKD.Geometry.Pnp;

/// <summary>Settings of <see cref="RansacEpnp"/>; the defaults are those of OpenCV's <c>solvePnPRansac</c> with <c>reprojectionError=5.0</c>.</summary>
public sealed record RansacOptions
{
    /// <summary>Inlier threshold on the reprojection distance, pixels (squared distance ≤ threshold²).</summary>
    public double ReprojectionErrorPx { get; init; } = 5.0;

    /// <summary>Desired probability of drawing at least one outlier-free sample (adaptive iteration count).</summary>
    public double Confidence { get; init; } = 0.99;

    /// <summary>Upper bound on RANSAC iterations.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Points per minimal sample (OpenCV's EPnP RANSAC uses 5).</summary>
    public int SampleSize { get; init; } = 5;

    /// <summary>Seed of the OpenCV-compatible generator (OpenCV uses 2⁶⁴ − 1).</summary>
    public ulong Seed { get; init; } = ulong.MaxValue;

    /// <summary>Round inputs to float32 first, as <c>solvePnPRansac</c> does with double inputs.</summary>
    public bool RoundInputsToFloat { get; init; } = true;

    /// <summary>Levenberg–Marquardt refinement of the reprojection error on the inliers after the refit (0 = off).</summary>
    public int RefineIterations { get; init; } = 20;

    /// <summary>
    /// Acceptance rule, part 1: the least number of inliers a RANSAC pose must have to be returned when there are
    /// more correspondences than the minimal sample (0 = OpenCV's rule: more inliers than the sample size − 1).
    /// </summary>
    public int MinInliers { get; init; } = 6;

    /// <summary>
    /// Acceptance rule, part 2: the least fraction of all correspondences that must be inliers (default 0.2; 0 = off).
    /// A pose backed by a handful of points at heavy outlier rates is usually wrong.
    /// </summary>
    public double MinInlierFraction { get; init; } = 0.2;

    /// <summary>The defaults.</summary>
    public static RansacOptions Default { get; } = new();
}
