using System.Text.Json;
using PoseKD.Training.Events;
using PoseKD.Training.Loop;
using PoseKD.Training.Runs;

namespace PoseKD.Training.Tests.Runs;

public sealed class TrainRunTests(TinyDataset data, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TinyDataset>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-trainrun-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private TrainRunOptions Options(string name, int iters) => new()
    {
        Config = data.Summary.Configs[0], Backbone = "darknet_tiny_h", WorkDir = Path.Combine(_dir, name),
        MaxIters = iters, BatchSize = 2, InputRes = 32, Workers = 2, Seed = 3, ValFreq = 1000, BaseLr = 1e-2, LogFreq = 1,
        ConsoleMode = ConsoleMode.Quiet,
    };

    private static List<Dictionary<string, JsonElement>> Metrics(string workDir)
        => File.ReadAllLines(Path.Combine(workDir, "metrics.jsonl")).Select(l => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(l)!)
            .Where(d => d.ContainsKey("training/loss_cls")).ToList();

    [Fact]
    public void Execute_FewStepsOnTinyDataset_LowersEveryLossTermAndWritesTheWorkDir()
    {
        var s = TrainRun.Execute(Options("student", 10), TextWriter.Null);
        output.WriteLine($"train {s.TrainSeconds:F1} s, {s.ImagesPerSecond:F1} img/s, data wait {s.DataWaitShare:P1}; validation {s.Validation?.Timings}");
        Assert.Equal(TrainOutcome.Completed, s.Outcome);
        Assert.Equal(10, s.Steps);
        var m = Metrics(s.WorkDir);
        foreach (var term in new[] { "training/loss_cls", "training/loss_reg" })
        {
            double first = m.Take(3).Average(d => d[term].GetDouble()), last = m.TakeLast(3).Average(d => d[term].GetDouble());
            Assert.True(last < first, $"{term}: last {last} not below first {first}");
        }
        foreach (var f in new[] { "config.yaml", "metrics.jsonl", "latest.safetensors", "final.safetensors", "final.pth", "loss_curves.png", "validation/preds.json", "validation/posekd_results.csv", "validation/accuracy.txt" })
            Assert.True(File.Exists(Path.Combine(s.WorkDir, f)), f);
        Assert.Single(Directory.GetFiles(s.WorkDir, "events.out.tfevents.*"));
        Assert.NotNull(s.Validation);
        Assert.InRange(s.DataWaitShare, 0, 1);
    }
}
