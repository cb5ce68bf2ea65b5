using System.Globalization;
using PoseKD.Engine.Serialization;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Checkpoints;

/// <summary>
/// Resume and checkpoints of a work directory. Before training, an existing <c>latest.safetensors</c> is loaded
/// (model, optimiser, scheduler, step and loader position), so the same command continues a run. During training
/// <c>latest</c> is written every <see cref="Every"/> steps; when the run is interrupted or meets a non-finite loss
/// it is written with the last good state; at the end <c>final.safetensors</c> (weights only, PyTorch keys) and,
/// when a <see cref="FinalExport"/> is set, its other formats. Every write is atomic (temporary file, rename).
/// </summary>
public sealed class CheckpointHook : ITrainHook
{
    /// <summary>Metadata keys of a PoseKD training checkpoint.</summary>
    public const string StepKey = "posekd.step", EpochKey = "posekd.epoch", BatchKey = "posekd.batch_in_epoch", SeedKey = "posekd.seed", MaxIterKey = "posekd.max_iter";

    /// <summary>Creates the hook for <paramref name="workDir"/>, writing <c>latest</c> every <paramref name="every"/> steps (0 = only at the end or on a stop).</summary>
    public CheckpointHook(string workDir, int every)
    {
        ArgumentNullException.ThrowIfNull(workDir);
        if (every < 0) throw new ArgumentOutOfRangeException(nameof(every), every, "expected ≥ 0");
        WorkDir = workDir; Every = every;
    }

    /// <summary>The work directory.</summary>
    public string WorkDir { get; }
    /// <summary>Steps between two <c>latest</c> writes (0 = never during the run).</summary>
    public int Every { get; }
    /// <summary>Path of <c>latest</c>.</summary>
    public string LatestPath => Path.Combine(WorkDir, "latest.safetensors");
    /// <summary>Path of <c>final</c>.</summary>
    public string FinalPath => Path.Combine(WorkDir, "final.safetensors");
    /// <summary>Step the run resumed from (null when it started fresh).</summary>
    public long? ResumedFrom { get; private set; }
    /// <summary>Called with the trainer after <c>final.safetensors</c> is written (e.g. the <c>.pth</c> export).</summary>
    public Action<Trainer, string>? FinalExport { get; init; }

    /// <inheritdoc />
    public void BeforeTrain(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        Directory.CreateDirectory(WorkDir);
        if (!File.Exists(LatestPath)) return;
        ResumedFrom = Resume(LatestPath, trainer);
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/> into the trainer; returns its step.</summary>
    public static long Resume(string path, Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var (_, meta) = Checkpoint.Load(path, trainer.Task.Model, trainer.Optimizer, trainer.Scheduler, strict: true);
        long step = Long(meta, StepKey, path);
        if (meta.TryGetValue(SeedKey, out var seed) && seed != trainer.Options.Seed.ToString(CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"{path}: written by a run with seed {seed}, this run has seed {trainer.Options.Seed}; use another work directory or the same seed");
        trainer.RestorePosition(step, (int)Long(meta, EpochKey, path), (int)Long(meta, BatchKey, path));
        return step;
    }

    private static long Long(Dictionary<string, string> meta, string key, string path)
        => meta.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long x)
            ? x : throw new SafeTensorsFormatException($"{path}: metadata '{key}': expected an integer, found {(v is null ? "nothing" : $"'{v}'")}");

    /// <summary>Writes the trainer's full state (model, optimiser, scheduler, step, loader position, seed) to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var inv = CultureInfo.InvariantCulture;
        var meta = new Dictionary<string, string>
        {
            [StepKey] = trainer.Step.ToString(inv),
            [EpochKey] = trainer.Epoch.ToString(inv),
            [BatchKey] = trainer.BatchInEpoch.ToString(inv),
            [SeedKey] = trainer.Options.Seed.ToString(inv),
            [MaxIterKey] = trainer.Options.MaxIter.ToString(inv),
        };
        Checkpoint.Save(path, trainer.Task.Model, trainer.Optimizer, trainer.Scheduler, meta);
    }

    /// <inheritdoc />
    public void AfterStep(Trainer trainer)
    {
        if (Every > 0 && trainer.Step % Every == 0) Save(LatestPath, trainer);
    }

    /// <inheritdoc />
    public void AfterTrain(Trainer trainer, TrainOutcome outcome)
    {
        Save(LatestPath, trainer);
        if (outcome != TrainOutcome.Completed) return;
        Checkpoint.SaveWeights(FinalPath, trainer.Task.Model, new Dictionary<string, string> { [StepKey] = trainer.Step.ToString(CultureInfo.InvariantCulture) });
        FinalExport?.Invoke(trainer, FinalPath);
    }
}
