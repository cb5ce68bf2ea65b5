using PoseKD.Data.Synthesis;

namespace PoseKD.Data.Tests;

/// <summary>A tiny synthetic dataset (2 objects × 6 images, 160×120) generated once per test class, deleted afterwards.</summary>
public sealed class SmallDataset : IDisposable
{
    /// <summary>The LINEMOD camera scaled to 160×120.</summary>
    public static readonly double[] K = [572.4114 / 4, 0, 325.2611 / 4, 0, 573.57043 / 4, 242.04899 / 4, 0, 0, 1];

    public string Root { get; }

    public SynthSummary Summary { get; }

    public SmallDataset()
    {
        Root = Path.Combine(Path.GetTempPath(), $"posekd-small-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Summary = SyntheticDatasetGenerator.Generate(Options(Root, threads: 2));
    }

    public static SynthOptions Options(string root, int threads, int seed = 3) => new()
    {
        OutputDir = root,
        Objects = ["lblock", "twinbox"],
        ImagesPerObject = 6,
        Width = 160,
        Height = 120,
        K = (double[])K.Clone(),
        MinDistanceMm = 300,
        MaxDistanceMm = 400,
        TrainFraction = 0.34,
        Seed = seed,
        Threads = threads,
    };

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        if (Directory.Exists(Root + "-copies")) Directory.Delete(Root + "-copies", recursive: true);
    }
}
