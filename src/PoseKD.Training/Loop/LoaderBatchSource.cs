using PoseKD.Data.Loading;

namespace PoseKD.Training.Loop;

/// <summary>
/// Adapts Data's <see cref="BatchLoader"/> (background workers, seeded per-sample generators) to the trainer.
/// Skipped batches of a resumed epoch are still built (the loader has no random access), so resuming costs at
/// most one epoch of loading.
/// </summary>
public sealed class LoaderBatchSource : IBatchSource
{
    /// <summary>Wraps <paramref name="loader"/>.</summary>
    public LoaderBatchSource(BatchLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        Loader = loader;
    }

    /// <summary>The wrapped loader.</summary>
    public BatchLoader Loader { get; }

    /// <inheritdoc />
    public IEnumerable<Batch> Epoch(int epoch, int skip)
    {
        if (skip < 0) throw new ArgumentOutOfRangeException(nameof(skip), skip, "expected ≥ 0");
        return Loader.Epoch(epoch).Skip(skip);
    }
}
