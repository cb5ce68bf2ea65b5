using PoseKD.Training.Config;
using PoseKD.Training.Runs;

namespace PoseKD.Training.Tests.Runs;

public sealed class DatasetSetupTests(TinyDataset data) : IClassFixture<TinyDataset>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-dsetup-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private PoseKDConfig Config => PoseKDConfig.Load(data.Summary.Configs[0]);

    [Fact]
    public void Open_SynthConfig_ResolvesPathsRelativeToTheConfigFolder()
    {
        var ds = DatasetSetup.Open(Config, "TRAIN");
        Assert.Equal(8, ds.Count);
        Assert.Equal(1, ds.Models.Count);
    }

    [Fact]
    public void Open_ClassCountMismatch_ThrowsNamingNClass()
    {
        var c = Config with { Datasets = Config.Datasets with { NClass = 16 } };
        var e = Assert.Throws<ConfigException>(() => DatasetSetup.Open(c, "TRAIN"));
        Assert.Contains("DATASETS.N_CLASS", e.Message);
        Assert.Contains("1 object models", e.Message);
    }

    [Fact]
    public void Open_EmptyTrainingList_ThrowsBeforeTraining()
    {
        Directory.CreateDirectory(_dir);
        string empty = Path.Combine(_dir, "empty.txt");
        File.WriteAllText(empty, "\n");
        var c = Config with { Datasets = Config.Datasets with { Train = empty } };
        var e = Assert.Throws<ConfigException>(() => DatasetSetup.Open(c, "TRAIN"));
        Assert.Contains("empty", e.Message);
        Assert.Contains("DATASETS.TRAIN", e.Message);
    }

    [Fact]
    public void Execute_MissingTeacherFile_ThrowsBeforeAnyStep()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TrainRun.Execute(new TrainRunOptions
        {
            Config = data.Summary.Configs[0], WorkDir = Path.Combine(_dir, "w"), TeacherWeights = "/nonexistent/teacher.safetensors",
        }, TextWriter.Null));
        Assert.Contains("--teacher-weights", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "w")));
    }

    [Fact]
    public void Execute_BadConfigValue_ThrowsNamingTheKey()
    {
        Directory.CreateDirectory(_dir);
        string bad = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(bad, File.ReadAllText(data.Summary.Configs[0]).Replace("BASE_LR: 0.001", "BASE_LR: fast"));
        var e = Assert.Throws<ConfigException>(() => TrainRun.Execute(new TrainRunOptions { Config = bad, WorkDir = Path.Combine(_dir, "w") }, TextWriter.Null));
        Assert.Contains("SOLVER.BASE_LR", e.Message);
    }
}
