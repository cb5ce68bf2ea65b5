namespace PoseKD.Training.Evaluation;

/// <summary>Mean time per image of a test run, milliseconds.</summary>
/// <param name="Images">Images evaluated.</param>
/// <param name="NetworkMs">Forward pass (batched, divided by the batch size).</param>
/// <param name="PostProcessMs">Candidate selection, decoding, RANSAC-EPnP and remap (post-processing including PnP).</param>
/// <param name="DataWaitMs">Waiting for the loader.</param>
public sealed record EvaluationTimings(int Images, double NetworkMs, double PostProcessMs, double DataWaitMs);
