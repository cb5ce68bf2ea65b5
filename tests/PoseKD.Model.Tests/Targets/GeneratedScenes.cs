using PoseKD.Data.Bop;
using PoseKD.Data.Synthesis;
using PoseKD.Data.Transforms;

namespace PoseKD.Model.Tests.Targets;

/// <summary>A few generated LINEMOD-like scenes (2 objects × 4 images, 160×120) turned into 128 px test samples; deleted afterwards.</summary>
public sealed class GeneratedScenes : IDisposable
{
    public static readonly double[] K = [572.4114 / 4, 0, 325.2611 / 4, 0, 573.57043 / 4, 242.04899 / 4, 0, 0, 1];

    public string Root { get; }

    public BopDataset Dataset { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public GeneratedScenes()
    {
        Root = Path.Combine(Path.GetTempPath(), $"posekd-heads-{Environment.ProcessId}-{Guid.NewGuid():N}");
        SyntheticDatasetGenerator.Generate(new SynthOptions
        {
            OutputDir = Root, Objects = ["lblock", "twinbox"], ImagesPerObject = 4, Width = 160, Height = 120, K = (double[])K.Clone(),
            MinDistanceMm = 300, MaxDistanceMm = 400, TrainFraction = 0.5, Seed = 9, Threads = 1, WriteDepth = false,
        });
        Dataset = BopDataset.FromListFile(Path.Combine(Root, "000001_test.txt"), Path.Combine(Root, "models"), Path.Combine(Root, "linemod_bbox.json"));
        var opt = new TransformOptions { InternalWidth = 160, InternalHeight = 120, InternalK = (double[])K.Clone(), InputRes = 128 };
        var builder = new SampleBuilder(Dataset, opt, training: false);
        var list = new List<Sample>();
        for (int i = 0; i < Dataset.Count; i++)
        {
            var s = builder.Build(i, new Random(i), out var problem) ?? throw new InvalidOperationException(problem);
            list.Add(s);
        }
        Samples = list;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
