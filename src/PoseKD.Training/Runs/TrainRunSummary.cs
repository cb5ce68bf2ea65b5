using PoseKD.Training.Evaluation;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Runs;

/// <summary>What a training run did.</summary>
public sealed record TrainRunSummary
{
    /// <summary>The work directory.</summary>
    public required string WorkDir { get; init; }
    /// <summary>How it ended.</summary>
    public required TrainOutcome Outcome { get; init; }
    /// <summary>Steps done.</summary>
    public required long Steps { get; init; }
    /// <summary>Step it resumed from (null: fresh start).</summary>
    public long? ResumedFrom { get; init; }
    /// <summary>Training images per second in this process.</summary>
    public required double ImagesPerSecond { get; init; }
    /// <summary>Share of step time spent waiting for data.</summary>
    public required double DataWaitShare { get; init; }
    /// <summary>Wall seconds of the steps in this process.</summary>
    public required double TrainSeconds { get; init; }
    /// <summary>The last validation (null when none ran).</summary>
    public EvaluationResult? Validation { get; init; }
    /// <summary>The teacher's evaluation (distillation only).</summary>
    public EvaluationResult? Teacher { get; init; }
    /// <summary>Paths of the files written (checkpoints, plots, logs).</summary>
    public required IReadOnlyList<string> Files { get; init; }
}
