using PoseKD.Data.Synthesis;
using PoseKD.Data.Transforms;
using PoseKD.Engine.Tensors;

namespace PoseKD.Data.Loading;

/// <summary>
/// Batches of <see cref="Sample"/>s built on background workers with bounded prefetch. Sample at position p of
/// epoch e uses its own <see cref="Random"/> seeded from (seed, e, p), and the epoch order is a seeded shuffle,
/// so batches are identical for a seed whatever the worker count. In training an unusable image is replaced by
/// another drawn from the same stream (the reference's rule); in test mode it is skipped and listed in
/// <see cref="Problems"/>.
/// </summary>
public sealed class BatchLoader
{
    private readonly List<string> _problems = [];

    /// <summary>The sample builder.</summary>
    public SampleBuilder Builder { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed.</summary>
    public int Seed { get; }

    /// <summary>Worker threads building samples.</summary>
    public int Workers { get; }

    /// <summary>Batches built ahead of the consumer.</summary>
    public int Prefetch { get; }

    /// <summary>Shuffle the order every epoch.</summary>
    public bool Shuffle { get; }

    /// <summary>Problems met so far (skipped test images, replaced training images).</summary>
    public IReadOnlyList<string> Problems { get { lock (_problems) return _problems.ToList(); } }

    /// <summary>Creates a loader.</summary>
    public BatchLoader(SampleBuilder builder, int batchSize, int seed, bool shuffle, int workers = 2, int prefetch = 2)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (batchSize < 1 || workers < 1 || prefetch < 1) throw new ArgumentException($"batch size {batchSize}, workers {workers}, prefetch {prefetch} must be ≥ 1");
        Builder = builder; BatchSize = batchSize; Seed = seed; Shuffle = shuffle; Workers = workers; Prefetch = prefetch;
    }

    /// <summary>Number of batches per epoch (the last may be smaller).</summary>
    public int BatchCount => (Builder.Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The batches of epoch <paramref name="epoch"/>, built in the background <see cref="Prefetch"/> ahead.</summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        int n = Builder.Dataset.Count;
        var order = Enumerable.Range(0, n).ToArray();
        if (Shuffle) new Random(SyntheticDatasetGenerator.Mix(Seed, epoch, -3)).Shuffle(order);
        var pending = new Queue<Task<Batch?>>();
        int next = 0;
        while (next < BatchCount || pending.Count > 0)
        {
            while (next < BatchCount && pending.Count < Prefetch)
            {
                int b = next++;
                pending.Enqueue(Task.Run(() => BuildBatch(order, b, epoch)));
            }
            var batch = pending.Dequeue().GetAwaiter().GetResult();
            if (batch != null) yield return batch;
        }
    }

    private Batch? BuildBatch(int[] order, int b, int epoch)
    {
        int start = b * BatchSize, count = Math.Min(BatchSize, order.Length - start);
        var samples = new Sample?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Workers }, j =>
        {
            int pos = start + j;
            var rng = new Random(SyntheticDatasetGenerator.Mix(Seed, epoch, pos));
            int idx = order[pos];
            for (int attempt = 0; attempt < 100; attempt++)
            {
                var s = Builder.Build(idx, rng, out var problem);
                if (s != null) { samples[j] = s; return; }
                lock (_problems) _problems.Add(problem ?? $"sample {idx} unusable");
                if (!Builder.Training) return;
                idx = rng.Next(order.Length);
            }
        });
        var ok = samples.Where(s => s != null).Select(s => s!).ToList();
        if (ok.Count == 0) return null;
        int size = ok[0].Size, plane = 3 * size * size;
        var data = new float[ok.Count * plane];
        for (int i = 0; i < ok.Count; i++) ok[i].Image.CopyTo(data, i * plane);
        return new Batch(Tensor.FromArray(data, ok.Count, 3, size, size), ok);
    }
}
