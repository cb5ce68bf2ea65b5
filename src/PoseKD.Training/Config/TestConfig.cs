namespace PoseKD.Training.Config;

/// <summary>The <c>TEST</c> section.</summary>
public sealed record TestConfig
{
    /// <summary><c>IMS_PER_BATCH</c>: evaluation batch size.</summary>
    public int ImsPerBatch { get; init; } = 8;
    /// <summary><c>CONFIDENCE_TH</c>: sigmoid score above which a cell is a candidate.</summary>
    public double ConfidenceTh { get; init; } = 0.1;
}
