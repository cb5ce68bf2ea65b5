using PoseKD.Data.Loading;

namespace PoseKD.Training.Loop;

/// <summary>
/// Training batches by epoch. The batches of an epoch must be a pure function of (seed, epoch), so that the
/// position (epoch, batch index) is the whole loader state a checkpoint needs.
/// </summary>
public interface IBatchSource
{
    /// <summary>The batches of epoch <paramref name="epoch"/>, in order, starting at batch <paramref name="skip"/>.</summary>
    IEnumerable<Batch> Epoch(int epoch, int skip);
}
