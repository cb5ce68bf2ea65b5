using PoseKD.Data.Bop;
using PoseKD.Data.Synthesis;
using PoseKD.Data.Transforms;

namespace PoseKD.Training.Tests;

/// <summary>A tiny synthetic LINEMOD-format dataset (1 object, 16 images, 160×120), generated once per test class.</summary>
public sealed class TinyDataset : IDisposable
{
    /// <summary>The LINEMOD camera scaled to 160×120.</summary>
    public static readonly double[] K = [572.4114 / 4, 0, 325.2611 / 4, 0, 573.57043 / 4, 242.04899 / 4, 0, 0, 1];

    public string Root { get; }

    public SynthSummary Summary { get; }

    public TinyDataset()
    {
        Root = Path.Combine(Path.GetTempPath(), $"posekd-train-tiny-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Summary = SyntheticDatasetGenerator.Generate(new SynthOptions
        {
            OutputDir = Root,
            Objects = ["lblock"],
            ImagesPerObject = 16,
            Width = 160,
            Height = 120,
            K = (double[])K.Clone(),
            MinDistanceMm = 300,
            MaxDistanceMm = 400,
            TrainFraction = 0.5,
            Seed = 5,
            Threads = 2,
            WriteDepth = false,
        });
    }

    public string TrainList => Directory.GetFiles(Root, "*_train.txt").Single();
    public string TestList => Directory.GetFiles(Root, "*_test.txt").Single();

    public TransformOptions Transform(int inputRes = 32) => new()
    {
        InternalWidth = 160, InternalHeight = 120, InternalK = (double[])K.Clone(), InputRes = inputRes,
    };

    public SampleBuilder Builder(bool training, int inputRes = 32)
        => new(BopDataset.FromListFile(training ? TrainList : TestList, Path.Combine(Root, "models"), Path.Combine(Root, "linemod_bbox.json")), Transform(inputRes), training);

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
