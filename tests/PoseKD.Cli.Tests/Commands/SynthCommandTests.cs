using PoseKD.Cli.Commands;

namespace PoseKD.Cli.Tests.Commands;

public sealed class SynthCommandTests
{
    [Fact]
    public void BuildRoot_HasSynthAndCheckDatasetWithTheirOptions()
    {
        var root = Program.BuildRoot();
        var synth = root.Subcommands.Single(c => c.Name == "synth");
        foreach (var o in new[] { "--output", "--objects", "--ply", "--images", "--seed", "--train-fraction", "--backgrounds", "--threads" })
            Assert.Contains(synth.Options, x => x.Name == o);
        var check = root.Subcommands.Single(c => c.Name == "check-dataset");
        foreach (var o in new[] { "--root", "--list", "--split", "--targets" })
            Assert.Contains(check.Options, x => x.Name == o);
    }

    [Fact]
    public void Main_SynthThenCheckDataset_WritesAndValidatesDataset()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"posekd-cli-synth-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            int rc = Program.Main(["synth", "-o", dir, "-n", "3", "--objects", "mug,wedge", "--width", "160", "--height", "120",
                "--K", "143.1,143.4,81.3,60.5", "--min-distance", "300", "--max-distance", "350", "-q"]);
            Assert.Equal(0, rc);
            Assert.True(File.Exists(Path.Combine(dir, "000002_test.txt")));
            Assert.True(File.Exists(Path.Combine(dir, "real", "000002", "rgb", "000002.png")));
            Assert.Equal(0, Program.Main(["check-dataset", "--root", dir, "--list", "000001_test.txt"]));
            Assert.Equal(0, Program.Main(["check-dataset", "--root", dir, "--split", "real", "--width", "160", "--height", "120"]));
            File.Delete(Path.Combine(dir, "real", "000001", "mask_visib", "000000_000000.png"));
            Assert.Equal(2, Program.Main(["check-dataset", "--root", dir, "--split", "real"]));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ParseK_FourOrNineNumbers_RowMajorMatrix()
    {
        Assert.Equal([1.0, 0, 3, 0, 2, 4, 0, 0, 1], SynthCommand.ParseK("1,2,3,4"));
        Assert.Equal(9, SynthCommand.ParseK(null).Length);
        Assert.Throws<ArgumentException>(() => SynthCommand.ParseK("1,2"));
    }
}
