using PoseKD.Data.Synthesis;
using PoseKD.Geometry.Bop;

namespace PoseKD.Cli.Tests.Commands;

/// <summary>A small synthetic dataset shared by the bad-input tests of every verb.</summary>
public sealed class CliDataset : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"posekd-cli-bad-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public CliDataset()
    {
        SyntheticDatasetGenerator.Generate(new SynthOptions
        {
            OutputDir = Root, Objects = ["lblock", "twinbox"], ImagesPerObject = 3, Width = 160, Height = 120,
            K = [143.1, 0, 81.3, 0, 143.4, 60.5, 0, 0, 1], MinDistanceMm = 300, MaxDistanceMm = 350, Threads = 1,
        });
        var rows = new List<BopResult>();
        foreach (var scene in new[] { 1, 2 })
            foreach (var (im, gts) in BopScene.Read(Path.Combine(Root, "real", $"{scene:D6}"), scene).Gt)
                foreach (var g in gts) rows.Add(new BopResult(scene, im, g.ObjId, 0.9, g.R, g.T));
        BopResultsCsv.Write(Results, rows);
    }

    public string Results => Path.Combine(Root, "results.csv");

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// Bad inputs to every verb end with one line naming the file or option and what was expected, and a non-zero
/// exit code — never a raw .NET exception text, never exit 0 with a wrong number.
/// </summary>
[Collection("Console")]
public sealed class BadInputTests(CliDataset data) : IClassFixture<CliDataset>
{
    private static (int Rc, string Err, string Out) Run(params string[] args)
    {
        var err = new StringWriter();
        var output = new StringWriter();
        var oldErr = Console.Error;
        var oldOut = Console.Out;
        Console.SetError(err);
        Console.SetOut(output);
        try { return (Program.Main(args), err.ToString(), output.ToString()); }
        finally { Console.SetError(oldErr); Console.SetOut(oldOut); }
    }

    private static void AssertOneClearLine(string err, string expected)
    {
        Assert.StartsWith("posekd: ", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
        foreach (var raw in new[] { "Index was outside", "One or more errors occurred", "Access to the path", "Arithmetic operation", "invalid format", "Required command was not provided" })
            Assert.DoesNotContain(raw, err);
    }

    private string Temp(string name) => Path.Combine(data.Root, $"{Guid.NewGuid():N}-{name}");

    [Fact]
    public void UnknownVerb_SaysSoFirst()
    {
        var (rc, err, _) = Run("frobnicate");
        Assert.Equal(2, rc);
        AssertOneClearLine(err, "unknown verb 'frobnicate'");
        Assert.Contains("eval-bop", err);
    }

    [Fact]
    public void Version_VerbAndOptionAgree()
    {
        var (rc1, _, a) = Run("version");
        var (rc2, _, b) = Run("--version");
        Assert.Equal(0, rc1);
        Assert.Equal(0, rc2);
        Assert.Equal(a, b);
        Assert.Equal(Program.VersionText, a.Trim());
    }

    [Fact]
    public void EvalBop_GroundTruthAsResults_Scores100()
    {
        var (rc, _, output) = Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", data.Results);
        Assert.Equal(0, rc);
        Assert.Contains("   all        6        100.00   100.00   100.00", output);
    }

    [Theory]
    [InlineData("NaN 0 0 0 1 0 0 0 1", "0 0 300", "line 2, R")]
    [InlineData("1 0 0 0 1 0 0 0 1", "0 0 1e309", "line 2, t")]
    [InlineData("1 0 0 0 1 0 0 0 1", "0 0 1e155", "line 2, t")]
    [InlineData("0 0 0 0 0 0 0 0 0", "0 0 300", "not orthonormal")]
    [InlineData("-1 0 0 0 1 0 0 0 1", "0 0 300", "improper")]
    public void EvalBop_BadResultsRow_NamesLineAndField(string r, string t, string expected)
    {
        string path = Temp("bad.csv");
        var lines = File.ReadAllLines(data.Results);
        var f = lines[1].Split(',');
        f[4] = r; f[5] = t;
        lines[1] = string.Join(',', f);
        File.WriteAllLines(path, lines);
        var (rc, err, _) = Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", path);
        Assert.Equal(1, rc);
        AssertOneClearLine(err, expected);
        Assert.Contains(path, err);
    }

    [Fact]
    public void EvalBop_NotARotationAsFailed_CountsAndReports()
    {
        string path = Temp("det.csv");
        var lines = File.ReadAllLines(data.Results);
        var f = lines[1].Split(',');
        f[4] = "-1 0 0 0 1 0 0 0 1";
        lines[1] = string.Join(',', f);
        File.WriteAllLines(path, lines);
        var (rc, _, output) = Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", path, "--invalid-rotations-as-failed");
        Assert.Equal(0, rc);
        Assert.Contains("1 estimate(s) are not rotations", output);
        Assert.Contains("   all        6         83.33", output);
    }

    [Fact]
    public void EvalBop_RefusesBadOptions()
    {
        AssertOneClearLine(Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", data.Results, "--image-width", "0").Err, "--image-width must be > 0");
        AssertOneClearLine(Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", data.Results, "--errors-out", data.Results).Err, "refusing to overwrite the input");
        AssertOneClearLine(Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", data.Root).Err, "is a folder; expected the results CSV file");
        AssertOneClearLine(Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", data.Results, "--errors-out", Path.Combine(data.Results, "e.csv")).Err, "is a file, not a folder");
        AssertOneClearLine(Run("eval-bop", "--dataset", data.Root, "--split", Path.Combine("real", "000001"), "--results", data.Results).Err, "is a scene folder");
        string empty = Temp("empty.csv");
        File.WriteAllText(empty, BopResultsCsv.Header + "\n");
        AssertOneClearLine(Run("eval-bop", "--dataset", data.Root, "--split", "real", "--results", empty).Err, "holds no estimates");
    }

    [Fact]
    public void CheckDataset_ModelRemoved_BoxFileMismatchReported()
    {
        string models = Temp("models");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(data.Root, "models", "obj_000002.ply"), Path.Combine(models, "obj_000002.ply"));
        var (rc, _, output) = Run("check-dataset", "--root", data.Root, "--list", "000002_test.txt", "--models", models);
        Assert.Equal(2, rc);
        Assert.DoesNotContain("no problems found", output);
        Assert.Contains("do not line up", output);
        Assert.Contains("2 classes, but", output);
    }

    [Fact]
    public void CheckDataset_ModelAdded_BoxFileNamed()
    {
        string models = Temp("models3");
        Directory.CreateDirectory(models);
        foreach (var f in Directory.GetFiles(Path.Combine(data.Root, "models"), "*.ply")) File.Copy(f, Path.Combine(models, Path.GetFileName(f)));
        File.Copy(Path.Combine(models, "obj_000002.ply"), Path.Combine(models, "obj_000003.ply"));
        var (rc, err, _) = Run("check-dataset", "--root", data.Root, "--list", "000002_test.txt", "--models", models);
        Assert.Equal(1, rc);
        AssertOneClearLine(err, "linemod_bbox.json");
        Assert.Contains("3 models", err);
    }

    [Fact]
    public void CheckDataset_RefusesBadOptions()
    {
        AssertOneClearLine(Run("check-dataset", "--root", data.Root, "--list", "000001_test.txt", "--width", "160").Err, "--width and --height together");
        AssertOneClearLine(Run("check-dataset", "--root", data.Root, "--list", "000001_test.txt", "--max-problems", "-1").Err, "--max-problems must be ≥ 0");
        AssertOneClearLine(Run("check-dataset", "--root", data.Root, "--list", "000001_test.txt", "--targets", "t.json").Err, "cannot be combined with --list");
        AssertOneClearLine(Run("check-dataset", "--root", data.Root, "--split", Path.Combine("real", "000001")).Err, "is a scene folder");
        AssertOneClearLine(Run("check-dataset", "--root", data.Root, "--list", "real").Err, "is a folder; expected the image list file");
    }

    [Theory]
    [InlineData("each side must be in [16, 16384]", "--width", "46341", "--height", "46341")]
    [InlineData("distractors must be in [0, 100]", "--distractors", "-3")]
    [InlineData("positive focal lengths", "--K", "0,0,0,0")]
    [InlineData("'a' is not a number", "--K", "a,b,c,d")]
    [InlineData("K must be finite", "--K", "NaN,143,80,60")]
    [InlineData("in-plane rotation range", "--in-plane", "NaN")]
    [InlineData("distance range", "--max-distance", "Infinity")]
    public void Synth_BadOption_RefusedBeforeWriting(string expected, params string[] extra)
    {
        string dir = Temp("synth");
        var (rc, err, _) = Run(["synth", "-o", dir, "-q", "-n", "1", .. extra]);
        Assert.NotEqual(0, rc);
        AssertOneClearLine(err, expected);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Synth_OutputUnderAFile_Refused()
    {
        AssertOneClearLine(Run("synth", "-o", Path.Combine(data.Results, "ds"), "-q", "-n", "1").Err, "is a file, not a folder");
    }

    [Fact]
    public void MakeBbox_NanVertex_NamesFile()
    {
        string dir = Temp("plys");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "obj_000001.ply"), "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 nan 1\n");
        var (rc, err, _) = Run("make-bbox", dir, Path.Combine(dir, "box.json"));
        Assert.Equal(1, rc);
        AssertOneClearLine(err, "obj_000001.ply");
        Assert.False(File.Exists(Path.Combine(dir, "box.json")));
        AssertOneClearLine(Run("make-bbox", dir, dir).Err, "is a folder");
    }
}

/// <summary>Tests that redirect the console run one at a time.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
