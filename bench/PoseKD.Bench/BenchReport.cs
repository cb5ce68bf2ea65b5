using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoseKD.Bench;

/// <summary>Collects timings and values of one benchmark run and writes them as JSON.</summary>
public sealed class BenchReport
{
    private readonly JsonObject _results = new();

    /// <summary>Benchmark name.</summary>
    public string Name { get; }

    /// <summary>Creates a report for the benchmark called <paramref name="name"/>.</summary>
    public BenchReport(string name) => Name = name;

    /// <summary>
    /// Times <paramref name="action"/> (after <paramref name="warmup"/> untimed calls) <paramref name="reps"/>
    /// times and returns the median in milliseconds; min/median/max are recorded under <paramref name="key"/>.
    /// </summary>
    public double Time(string key, Action action, int reps = 10, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) action();
        var ms = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            action();
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        return Record(key, ms);
    }

    /// <summary>Records already measured repetitions <paramref name="ms"/> (min/median/max) under <paramref name="key"/>; returns the median.</summary>
    public double Record(string key, double[] ms)
    {
        ArgumentNullException.ThrowIfNull(ms);
        if (ms.Length == 0) throw new ArgumentException("no repetitions to record", nameof(ms));
        var sorted = (double[])ms.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        _results[key] = new JsonObject { ["median_ms"] = median, ["min_ms"] = sorted[0], ["max_ms"] = sorted[^1], ["reps"] = n };
        Console.WriteLine($"  {key,-48} median {median,10:F3} ms  (min {sorted[0]:F3}, max {sorted[^1]:F3}, n={n})");
        return median;
    }

    /// <summary>Records a named text (back-end, ISA) and prints it.</summary>
    public void Text(string key, string value)
    {
        _results[key] = value;
        Console.WriteLine($"  {key,-48} {value}");
    }

    /// <summary>Records a named value (GFLOP/s, ratio, error, …) and prints it.</summary>
    public void Value(string key, double value, string unit = "")
    {
        _results[key] = value;
        Console.WriteLine($"  {key,-48} {value,12:G6} {unit}");
    }

    /// <summary>Writes <c>results/NAME.json</c> under <paramref name="dir"/> and returns its path.</summary>
    public string Save(string dir)
    {
        Directory.CreateDirectory(dir);
        var doc = new JsonObject
        {
            ["benchmark"] = Name,
            ["utc"] = DateTime.UtcNow.ToString("o"),
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            ["results"] = _results.DeepClone(),
        };
        var path = Path.Combine(dir, Name + ".json");
        File.WriteAllText(path, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
