namespace PoseKD.Inference;

/// <summary>One estimated object pose, in the camera of the image passed to <see cref="PoseEstimator.Estimate(PoseKD.Data.Imaging.Image8, double[], double[])"/>.</summary>
/// <param name="ClassId">Class id (0-based, the position of the object's model in sorted order).</param>
/// <param name="R">Rotation model → camera, row-major [9] (symmetric classes canonicalised).</param>
/// <param name="T">Translation model → camera [3], mm.</param>
/// <param name="Score">Confidence: the largest √sigmoid of the cells that voted.</param>
/// <param name="Inliers">Number of RANSAC-EPnP inlier correspondences (out of 8 per selected cell).</param>
/// <param name="Cells">Number of selected cells.</param>
/// <param name="Timings">Time spent in each step of the call that produced this result.</param>
public sealed record PoseResult(int ClassId, double[] R, double[] T, double Score, int Inliers, int Cells, PoseTimings Timings);
