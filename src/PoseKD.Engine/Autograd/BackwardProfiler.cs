using System.Diagnostics;

namespace PoseKD.Engine.Autograd;

/// <summary>
/// Optional wall time of every node's <see cref="Node.Backward"/>, summed by node name (Conv2dBackward,
/// BatchNorm2dBackward, …): where a backward pass spends its time. Off unless <see cref="Enable"/> is called;
/// process-wide, meant for benchmarks and profiling runs (one backward at a time).
/// </summary>
public static class BackwardProfiler
{
    private static readonly Dictionary<string, (double Ms, int Calls)> s_totals = [];
    private static readonly object s_lock = new();

    /// <summary>Whether node timings are being recorded.</summary>
    public static bool IsEnabled { get; private set; }

    /// <summary>Clears the totals and starts recording.</summary>
    public static void Enable()
    {
        lock (s_lock) s_totals.Clear();
        IsEnabled = true;
    }

    /// <summary>Stops recording and returns the totals, largest first.</summary>
    public static IReadOnlyList<(string Node, double Ms, int Calls)> Disable()
    {
        IsEnabled = false;
        lock (s_lock) return s_totals.Select(kv => (kv.Key, kv.Value.Ms, kv.Value.Calls)).OrderByDescending(t => t.Ms).ToList();
    }

    internal static void Add(string node, long startTimestamp)
    {
        double ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        lock (s_lock)
        {
            var (total, calls) = s_totals.GetValueOrDefault(node);
            s_totals[node] = (total + ms, calls + 1);
        }
    }
}
