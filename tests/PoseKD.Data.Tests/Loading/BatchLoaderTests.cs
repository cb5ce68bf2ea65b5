using PoseKD.Data.Bop;
using PoseKD.Data.Loading;
using PoseKD.Data.Transforms;

namespace PoseKD.Data.Tests.Loading;

public sealed class BatchLoaderTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private SampleBuilder Builder(bool training, string list = "000002_test.txt")
    {
        var ds = BopDataset.FromListFile(Path.Combine(data.Root, list), Path.Combine(data.Root, "models"), Path.Combine(data.Root, "linemod_bbox.json"));
        return new SampleBuilder(ds, new TransformOptions { InternalWidth = 160, InternalHeight = 120, InternalK = [143, 0, 81, 0, 143, 60, 0, 0, 1], InputRes = 32, Noise = 0.1 }, training);
    }

    [Fact]
    public void Epoch_SameSeedDifferentWorkerCounts_IdenticalBatches()
    {
        var a = new BatchLoader(Builder(true), 3, seed: 9, shuffle: true, workers: 1, prefetch: 1).Epoch(0).ToList();
        var b = new BatchLoader(Builder(true), 3, seed: 9, shuffle: true, workers: 3, prefetch: 3).Epoch(0).ToList();
        Assert.Equal(2, a.Count);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal([i == 0 ? 3 : 1, 3, 32, 32], a[i].Images.Shape);
            Assert.Equal(a[i].Images.ToArray(), b[i].Images.ToArray());
            for (int j = 0; j < a[i].Samples.Count; j++)
            {
                Assert.Equal(a[i].Samples[j].Index, b[i].Samples[j].Index);
                Assert.Equal(a[i].Samples[j].R[0], b[i].Samples[j].R[0]);
                Assert.Equal(a[i].Samples[j].Labels, b[i].Samples[j].Labels);
            }
        }
        var other = new BatchLoader(Builder(true), 3, seed: 9, shuffle: true).Epoch(1).ToList();
        Assert.NotEqual(a[0].Images.ToArray(), other[0].Images.ToArray());
    }

    [Fact]
    public void Epoch_TestModeBrokenImage_SkippedAndReported()
    {
        var builder = Builder(false);
        var broken = new BopDataset([.. builder.Dataset.ImagePaths, Path.Combine(data.Root, "real", "000002", "rgb", "missing.png")], builder.Dataset.Models, builder.Dataset.Keypoints);
        var loader = new BatchLoader(new SampleBuilder(broken, builder.Options, false), 2, seed: 1, shuffle: false);
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(4, batches.Sum(x => x.Samples.Count));
        Assert.Contains(loader.Problems, p => p.Contains("missing", StringComparison.Ordinal));
        Assert.Single(loader.Problems);
    }
}
