namespace PoseKD.Training.Events;

/// <summary>What the console shows after a step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Total">Steps of the run.</param>
/// <param name="LearningRate">Learning rate the step used.</param>
/// <param name="Terms">Weighted loss terms of the step (name, value), as the reference's progress line shows them.</param>
/// <param name="ImagesPerSecond">Training throughput over the recent steps.</param>
/// <param name="EtaSeconds">Estimated seconds to the end.</param>
/// <param name="DataWaitShare">Share of wall time the step loop waited for data, so far.</param>
public sealed record StepProgress(long Step, long Total, double LearningRate, IReadOnlyList<(string Name, double Value)> Terms,
    double ImagesPerSecond, double EtaSeconds, double DataWaitShare);
