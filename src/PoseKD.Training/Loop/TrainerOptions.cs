namespace PoseKD.Training.Loop;

/// <summary>
/// Optimiser and schedule of a run, as the reference builds them: AdamW (lr = <c>BASE_LR</c>, weight decay 1e-4,
/// ε 1e-8), one-cycle (linear, 5 % warm-up, no momentum cycling, total = <c>MAX_ITER</c> + 100), clipping at 1.0.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Steps to train (<c>SOLVER.MAX_ITER</c>).</summary>
    public int MaxIter { get; init; } = 10000;
    /// <summary>Peak learning rate (<c>SOLVER.BASE_LR</c>).</summary>
    public double BaseLr { get; init; } = 1e-3;
    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>AdamW ε.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>Warm-up share of the one-cycle schedule.</summary>
    public double PctStart { get; init; } = 0.05;
    /// <summary>Schedule length beyond <see cref="MaxIter"/> (the reference's +100).</summary>
    public int ExtraScheduleSteps { get; init; } = 100;
    /// <summary>Max global gradient norm (<c>SOLVER.GRAD_CLIP</c>).</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Run seed (step generators, see <see cref="StepContext"/>).</summary>
    public int Seed { get; init; }
    /// <summary>Images per batch (for images/s and ETA only).</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Log scalars to the event store every this many steps.</summary>
    public int LogFreq { get; init; } = 10;
    /// <summary>
    /// Serve the forward pass, losses and backward of each step from a <see cref="PoseKD.Engine.Tensors.BufferArena"/>
    /// reset at the next step (no large allocations after the first step). Tensors of a step are valid until the
    /// next step starts.
    /// </summary>
    public bool ReuseBuffers { get; init; } = true;
}
