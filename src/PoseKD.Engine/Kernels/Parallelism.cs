namespace PoseKD.Engine.Kernels;

/// <summary>
/// Splits a loop over <c>count</c> independent items into contiguous chunks run with
/// <see cref="Parallel.For(int, int, Action{int})"/> when the total work is large enough to pay for it
/// (about 10⁵ element-operations or more), and runs it inline otherwise.
/// </summary>
public static class Parallelism
{
    /// <summary>Work (items × cost per item) below which loops stay on the calling thread.</summary>
    public const long MinParallelWork = 100_000;

    /// <summary>Maximum number of chunks: the process-wide <see cref="NativeSettings.Threads"/>.</summary>
    public static int MaxDegree => NativeSettings.Threads;

    /// <summary>Calls <paramref name="body"/>(start, end) over disjoint ranges covering [0, count).</summary>
    public static void For(int count, long costPerItem, Action<int, int> body)
    {
        if (count <= 0) return;
        int chunks = (int)Math.Min(Math.Min(count, MaxDegree), Math.Max(1, count * costPerItem / (MinParallelWork / 2)));
        if (chunks <= 1 || (long)count * costPerItem < MinParallelWork) { body(0, count); return; }
        Parallel.For(0, chunks, c =>
        {
            int start = (int)((long)count * c / chunks), end = (int)((long)count * (c + 1) / chunks);
            if (end > start) body(start, end);
        });
    }
}
