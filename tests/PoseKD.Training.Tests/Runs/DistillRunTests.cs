using PoseKD.Training.Events;
using PoseKD.Training.Loop;
using PoseKD.Training.Runs;

namespace PoseKD.Training.Tests.Runs;

/// <summary>Distillation end to end at toy size: a teacher trained for a few steps, then a student with KD (Sinkhorn) and feature imitation.</summary>
public sealed class DistillRunTests(TinyDataset data) : IClassFixture<TinyDataset>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-distill-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Execute_TeacherThenDistilledStudentWithFeatureImitation_LogsEveryTermAndDrawsKdPictures()
    {
        var common = new TrainRunOptions
        {
            Config = data.Summary.Configs[0], WorkDir = "", MaxIters = 2, BatchSize = 2, InputRes = 32, Workers = 1, Seed = 2,
            ValFreq = 1000, LogFreq = 1, ConsoleMode = ConsoleMode.Quiet,
        };
        var teacher = TrainRun.Execute(common with { Backbone = "darknet_tiny", WorkDir = Path.Combine(_dir, "t") }, TextWriter.Null);
        Assert.Equal(TrainOutcome.Completed, teacher.Outcome);
        var s = TrainRun.Execute(common with
        {
            Backbone = "darknet_tiny_h", WorkDir = Path.Combine(_dir, "s"),
            TeacherWeights = Path.Combine(_dir, "t", "final.safetensors"), TeacherBackbone = "darknet_tiny", KdWeight = 5, FeatureKdWeight = 0.5,
        }, TextWriter.Null);
        Assert.Equal(TrainOutcome.Completed, s.Outcome);
        Assert.NotNull(s.Teacher);
        string metrics = File.ReadAllText(Path.Combine(_dir, "s", "metrics.jsonl"));
        foreach (var tag in new[] { "training/loss_cls", "training/loss_reg", "training/loss_kd", "training/loss_feat", "training/loss_cls_reg", "training/learning_rate", "teacher/ADI/" })
            Assert.Contains(tag, metrics);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dir, "s", "kd_pictures"), "*.png"));
        // final holds the student alone (no adapter keys), latest the adapters too
        var final = PoseKD.Engine.Serialization.Checkpoint.ReadWeights(Path.Combine(_dir, "s", "final.safetensors"));
        Assert.DoesNotContain(final.Keys, k => k.StartsWith("feature_adapters", StringComparison.Ordinal));
        var latest = PoseKD.Engine.Serialization.SafeTensors.Read(Path.Combine(_dir, "s", "latest.safetensors"));
        Assert.Contains(latest.Keys, k => k.StartsWith("model.feature_adapters.", StringComparison.Ordinal));
    }
}
