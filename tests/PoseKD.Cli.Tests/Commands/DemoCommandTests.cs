using PoseKD.Cli.Commands;
using PoseKD.Training.Events;

namespace PoseKD.Cli.Tests.Commands;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-demo-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Run_TinySettings_TrainsThreeNetworksAndPrintsTheTableAndPictures()
    {
        var output = new StringWriter();
        var rows = DemoCommand.Run(new DemoCommand.Settings(_dir, Steps: 2, Images: 6, InputRes: 32, Batch: 2, Seed: 1, Threads: 0, ConsoleMode.Quiet), output);
        Assert.Equal(["teacher", "student", "distilled"], rows.Select(r => r.Name));
        string text = output.ToString();
        Assert.Contains("SMOKE TEST", text);
        Assert.Contains("| method | backbone | kd | ADI-0.05d | ADI-0.1d |", text);
        Assert.Contains("| distilled | darknet_tiny_h | 5 |", text);
        Assert.True(File.Exists(Path.Combine(_dir, "accuracy_vs_threshold.png")));
        Assert.True(File.Exists(Path.Combine(_dir, "distilled", "final.pth")));
        Assert.Contains(rows, r => r.Result.Timings.Images > 0);
    }

    [Fact]
    public void Run_ZeroSteps_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => DemoCommand.Run(new DemoCommand.Settings(_dir, 0, 6, 32, 2, 1, 0, ConsoleMode.Quiet), TextWriter.Null));
}
