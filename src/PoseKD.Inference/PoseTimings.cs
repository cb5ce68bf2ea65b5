namespace PoseKD.Inference;

/// <summary>Wall-clock milliseconds of the steps of one <see cref="PoseEstimator.Estimate(PoseKD.Data.Imaging.Image8, double[], double[], out PoseTimings)"/> call.</summary>
/// <param name="PreprocessMs">Warp to the internal camera, normalisation and DZI crop.</param>
/// <param name="NetworkMs">The network (engine or ONNX Runtime).</param>
/// <param name="PostprocessMs">Candidate selection, RANSAC-EPnP, symmetry and the remap to the image's camera.</param>
public sealed record PoseTimings(double PreprocessMs, double NetworkMs, double PostprocessMs)
{
    /// <summary>The whole call.</summary>
    public double TotalMs => PreprocessMs + NetworkMs + PostprocessMs;
}
