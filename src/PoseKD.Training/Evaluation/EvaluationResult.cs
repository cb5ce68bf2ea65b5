using PoseKD.Geometry.Metrics;

namespace PoseKD.Training.Evaluation;

/// <summary>The outcome of evaluating a network on a split: Geometry's accuracy report, per-instance predictions and timings.</summary>
public sealed record EvaluationResult(PoseEvaluationReport Report, IReadOnlyList<ImagePrediction> Predictions, EvaluationTimings Timings)
{
    /// <summary>Mean over classes of ADI-0.1d, percent (the headline number).</summary>
    public double Adi01 => Report.MeanAdi01;
}
