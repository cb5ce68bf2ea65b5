namespace PoseKD.Training.Config;

/// <summary>
/// The <c>POSEKD</c> section: PoseKD's own run settings, which the reference passes on its command line or does not have.
/// </summary>
public sealed record RunConfig
{
    /// <summary><c>WORKERS</c>: background threads building training samples.</summary>
    public int Workers { get; init; } = 2;
    /// <summary><c>PREFETCH</c>: batches built ahead of the training step.</summary>
    public int Prefetch { get; init; } = 2;
    /// <summary><c>THREADS</c>: compute threads (0 = all cores).</summary>
    public int Threads { get; init; }
    /// <summary><c>SEED</c>: seed of weights, sampling, positives and data order.</summary>
    public int Seed { get; init; }
    /// <summary><c>LOG_FREQ</c>: write losses to metrics.jsonl and TensorBoard every this many steps (the reference: 10).</summary>
    public int LogFreq { get; init; } = 10;
    /// <summary><c>PLOT_FREQ</c>: draw the KD distribution pictures every this many steps (0 = never).</summary>
    public int PlotFreq { get; init; } = 500;
    /// <summary><c>CHECKPOINT_FREQ</c>: write <c>latest</c> every this many steps (0 = at each validation).</summary>
    public int CheckpointFreq { get; init; }
    /// <summary><c>IMAGE_CACHE_MB</c>: decoded training images kept in memory across epochs, MiB (0 = decode every time).</summary>
    public int ImageCacheMb { get; init; } = 1024;
    /// <summary><c>EVAL_TEACHER</c>: evaluate the teacher once before distilling.</summary>
    public bool EvalTeacher { get; init; } = true;
}
