namespace PoseKD.Bench;

/// <summary>Benchmark runner: <c>./run bench</c> lists, <c>./run bench NAME</c> runs one, <c>all</c> runs every one.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var all = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        if (args.Length == 6 && args[0] == "speed-rss") return SpeedBenchmark.RssChild(args[1..]); // child process of the speed benchmark
        if (args.Length == 3 && args[0] == "table-a-plot") return TableAPlot.Run(args[1], args[2]); // picture of bench/table_a/run.sh
        if (args.Length == 0)
        {
            Console.WriteLine("usage: ./run bench NAME | all | table-a-plot OUT_DIR PNG");
            foreach (var b in all) Console.WriteLine($"  {b.Name,-12} {b.Description}");
            return 0;
        }
        var chosen = args[0] == "all" ? all : all.Where(b => b.Name == args[0]).ToList();
        if (chosen.Count == 0)
        {
            Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", all.Select(b => b.Name))}");
            return 2;
        }
        var outDir = Path.Combine(RepoRoot(), "bench", "results");
        foreach (var b in chosen)
        {
            Console.WriteLine($"[{b.Name}] {b.Description}");
            var report = new BenchReport(b.Name);
            b.Run(report);
            Console.WriteLine($"[{b.Name}] results written to {report.Save(outDir)}");
        }
        return 0;
    }

    /// <summary>The repository root: the folder holding PoseKD.slnx above the working directory or, failing that, above the executable.</summary>
    internal static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "PoseKD.slnx"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
