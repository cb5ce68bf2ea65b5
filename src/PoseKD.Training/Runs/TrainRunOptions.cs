namespace PoseKD.Training.Runs;

/// <summary>
/// Everything <c>posekd train</c> takes (flags follow the reference's, in .NET/POSIX style). Null means "the
/// config's value". With <see cref="TeacherWeights"/> the run distills; without it, it trains one network.
/// </summary>
public sealed record TrainRunOptions
{
    /// <summary><c>--config</c>: the student's (or single network's) YAML.</summary>
    public required string Config { get; init; }
    /// <summary><c>--backbone</c>.</summary>
    public string? Backbone { get; init; }
    /// <summary><c>--weights</c>: initial weights (safetensors or .pth) or the reference's training checkpoint (continued, optimiser and schedule included).</summary>
    public string? Weights { get; init; }
    /// <summary><c>--backbone-weights</c>: ImageNet backbone (.pth, pytorchcv layout).</summary>
    public string? BackboneWeights { get; init; }
    /// <summary><c>--max-iters</c>.</summary>
    public int? MaxIters { get; init; }
    /// <summary><c>--base-lr</c>.</summary>
    public double? BaseLr { get; init; }
    /// <summary><c>--batch-size</c> (SOLVER.IMS_PER_BATCH).</summary>
    public int? BatchSize { get; init; }
    /// <summary><c>--val-freq</c> (SOLVER.VAL_FREQ, after the per-backbone rule).</summary>
    public int? ValFreq { get; init; }
    /// <summary><c>--input-res</c> (INPUT.INPUT_RES).</summary>
    public int? InputRes { get; init; }
    /// <summary><c>--work-dir</c>.</summary>
    public required string WorkDir { get; init; }
    /// <summary><c>--threads</c>.</summary>
    public int? Threads { get; init; }
    /// <summary><c>--workers</c>.</summary>
    public int? Workers { get; init; }
    /// <summary><c>--seed</c>.</summary>
    public int? Seed { get; init; }
    /// <summary><c>--teacher-config</c> (default: <see cref="Config"/>).</summary>
    public string? TeacherConfig { get; init; }
    /// <summary><c>--teacher-backbone</c> (default darknet53, as the reference).</summary>
    public string? TeacherBackbone { get; init; }
    /// <summary><c>--teacher-weights</c>: enables distillation.</summary>
    public string? TeacherWeights { get; init; }
    /// <summary><c>--kd-weight</c>.</summary>
    public double? KdWeight { get; init; }
    /// <summary><c>--gtype</c>.</summary>
    public string? GType { get; init; }
    /// <summary><c>--p</c>.</summary>
    public double? P { get; init; }
    /// <summary><c>--blur</c>.</summary>
    public double? Blur { get; init; }
    /// <summary><c>--scaling</c>.</summary>
    public double? Scaling { get; init; }
    /// <summary><c>--reach</c>.</summary>
    public double? Reach { get; init; }
    /// <summary><c>--weighted-ot</c>.</summary>
    public bool? WeightedOt { get; init; }
    /// <summary><c>--wot-detach</c>.</summary>
    public bool? WotDetach { get; init; }
    /// <summary><c>--feature-kd-weight</c>.</summary>
    public double? FeatureKdWeight { get; init; }
    /// <summary><c>--log-freq</c> (POSEKD.LOG_FREQ): steps between two metrics.jsonl / TensorBoard records.</summary>
    public int? LogFreq { get; init; }
    /// <summary><c>--quiet</c>.</summary>
    public bool Quiet { get; init; }
    /// <summary>Console mode override (tests use plain).</summary>
    public Events.ConsoleMode? ConsoleMode { get; init; }
}
