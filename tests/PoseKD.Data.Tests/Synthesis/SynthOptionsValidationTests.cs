using PoseKD.Data.Synthesis;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Tests.Synthesis;

/// <summary>Every bad option is refused before anything is written; a failed run leaves nothing behind.</summary>
public class SynthOptionsValidationTests
{
    private static string Out() => Path.Combine(Path.GetTempPath(), $"posekd-synth-bad-{Guid.NewGuid():N}");

    private static SynthOptions Small(string root) => SmallDataset.Options(root, threads: 1);

    public static TheoryData<string, Func<SynthOptions, SynthOptions>> BadOptions => new()
    {
        { "image size", o => o.With(width: 46341, height: 46341) },
        { "image size", o => o.With(width: 8) },
        { "distractors", o => o.With(distractors: -3) },
        { "focal", o => o.With(k: [0, 0, 0, 0, 0, 0, 0, 0, 1]) },
        { "finite", o => o.With(k: [double.NaN, 0, 80, 0, 143, 60, 0, 0, 1]) },
        { "pinhole", o => o.With(k: [143, 0, 80, 0, 143, 60, 1, 0, 1]) },
        { "in-plane", o => o.With(inPlane: double.NaN) },
        { "distance", o => o.With(maxDistance: double.PositiveInfinity) },
        { "distance", o => o.With(minDistance: -1) },
        { "train fraction", o => o.With(trainFraction: double.NaN) },
        { "occlusion", o => o.With(occlusion: 2) },
        { "threads", o => o.With(threads: 0) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Generate_BadOption_ThrowsBeforeWriting(string expected, Func<SynthOptions, SynthOptions> edit)
    {
        string root = Out();
        var e = Assert.Throws<ArgumentException>(() => SyntheticDatasetGenerator.Generate(edit(Small(root))));
        Assert.Contains(expected, e.Message);
        Assert.False(Directory.Exists(root));
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), $".{Path.GetFileName(root)}*"));
    }

    [Fact]
    public void Validate_ImageTooLargeForMemory_NamesTheMemory()
    {
        var o = Small(Out()).With(width: 16384, height: 16384, threads: 64);
        var e = Assert.Throws<ArgumentException>(() => SyntheticDatasetGenerator.Validate(o));
        Assert.Contains("GB", e.Message);
    }

    [Theory]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 0 0\n0 1 0\n", "no faces")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n0 0 0\n0 0 0\n3 0 1 2\n", "extent")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\nnan 0 0\n0 1 0\n3 0 1 2\n", "finite")]
    public void Generate_DegeneratePly_ThrowsNamingFileAndLeavesNothing(string ply, string expected)
    {
        string root = Out();
        string plyPath = root + ".ply";
        File.WriteAllText(plyPath, ply);
        try
        {
            var o = Small(root).With(objects: [], ply: [plyPath]);
            var e = Assert.Throws<PlyFormatException>(() => SyntheticDatasetGenerator.Generate(o));
            Assert.Contains(expected, e.Message);
            Assert.Contains(plyPath, e.Message);
            Assert.False(Directory.Exists(root));
        }
        finally { File.Delete(plyPath); }
    }

    [Fact]
    public void Generate_StalePartialFolder_IsReplacedAndRunCompletes()
    {
        string root = Out();
        string partial = Path.Combine(Path.GetDirectoryName(root)!, $".{Path.GetFileName(root)}.partial");
        Directory.CreateDirectory(Path.Combine(partial, "models"));
        File.WriteAllText(Path.Combine(partial, "models", "junk.ply"), "half-written");
        try
        {
            var summary = SyntheticDatasetGenerator.Generate(Small(root).With(imagesPerObject: 2));
            Assert.Equal(root, summary.Root);
            Assert.False(Directory.Exists(partial));
            Assert.False(File.Exists(Path.Combine(root, "models", "junk.ply")));
            Assert.True(File.Exists(Path.Combine(root, "linemod_bbox.json")));
            Assert.All(summary.Configs, c => Assert.StartsWith(root, c));
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Generate_OutputUnderAFile_Throws()
    {
        string file = Out();
        File.WriteAllText(file, "x");
        try { Assert.Throws<IOException>(() => SyntheticDatasetGenerator.Generate(Small(Path.Combine(file, "ds")))); }
        finally { File.Delete(file); }
    }
}

/// <summary>Copies of <see cref="SynthOptions"/> with a few settings changed (it is an init-only class).</summary>
internal static class SynthOptionsEdit
{
    public static SynthOptions With(this SynthOptions o, int? width = null, int? height = null, int? distractors = null, double[]? k = null,
        double? inPlane = null, double? maxDistance = null, double? minDistance = null, double? trainFraction = null, double? occlusion = null,
        int? threads = null, string[]? objects = null, string[]? ply = null, int? imagesPerObject = null) => new()
    {
        OutputDir = o.OutputDir,
        Objects = objects ?? o.Objects,
        PlyFiles = ply ?? o.PlyFiles,
        ImagesPerObject = imagesPerObject ?? o.ImagesPerObject,
        Width = width ?? o.Width,
        Height = height ?? o.Height,
        K = k ?? o.K,
        TrainFraction = trainFraction ?? o.TrainFraction,
        Seed = o.Seed,
        MinDistanceMm = minDistance ?? o.MinDistanceMm,
        MaxDistanceMm = maxDistance ?? o.MaxDistanceMm,
        MinElevationDeg = o.MinElevationDeg,
        InPlaneRotationDeg = inPlane ?? o.InPlaneRotationDeg,
        MaxDistractors = distractors ?? o.MaxDistractors,
        OcclusionProbability = occlusion ?? o.OcclusionProbability,
        MinVisibleFraction = o.MinVisibleFraction,
        BackgroundDir = o.BackgroundDir,
        WriteDepth = o.WriteDepth,
        Threads = threads ?? o.Threads,
    };
}
