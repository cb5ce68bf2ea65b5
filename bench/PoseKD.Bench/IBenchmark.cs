namespace PoseKD.Bench;

/// <summary>
/// One named benchmark (<c>./run bench NAME</c>). Every class implementing it in this assembly is
/// discovered by reflection; results go to <c>bench/results/NAME.json</c>.
/// </summary>
public interface IBenchmark
{
    /// <summary>Name used on the command line and for the JSON file.</summary>
    string Name { get; }

    /// <summary>One-line description for the listing.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark, recording results into <paramref name="report"/>.</summary>
    void Run(BenchReport report);
}
