using System.Text.Json;

namespace PoseKD.Cli.Tests.Commands;

/// <summary>`posekd train` / `posekd test` through Main: a few steps on a tiny generated dataset, then test, resume and errors.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-cli-train-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void BuildRoot_TrainAndTestHaveTheReferenceFlags()
    {
        var root = Program.BuildRoot();
        var train = root.Subcommands.Single(c => c.Name == "train");
        foreach (var o in new[] { "--config", "--backbone", "--weights", "--backbone-weights", "--max-iters", "--base-lr", "--work-dir", "--threads", "--workers", "--seed",
                     "--teacher-config", "--teacher-backbone", "--teacher-weights", "--kd-weight", "--gtype", "--p", "--blur", "--scaling", "--reach", "--weighted-ot", "--wot-detach",
                     "--feature-kd-weight", "--quiet" })
            Assert.Contains(train.Options, x => x.Name == o);
        Assert.False(string.IsNullOrWhiteSpace(train.Description));
        var test = root.Subcommands.Single(c => c.Name == "test");
        foreach (var o in new[] { "--config", "--backbone", "--weights", "--detections", "--out" })
            Assert.Contains(test.Options, x => x.Name == o);
        Assert.Equal(0, Program.Main(["train", "--help"]));
    }

    [Fact]
    public void Main_TrainFewStepsThenSameCommandThenTest_CompletesResumesAndEvaluates()
    {
        string data = Path.Combine(_dir, "data");
        Assert.Equal(0, Program.Main(["synth", "-o", data, "-n", "8", "--objects", "lblock", "--width", "160", "--height", "120",
            "--K", "143.1,143.4,81.3,60.5", "--min-distance", "300", "--max-distance", "350", "--train-fraction", "0.5", "--no-depth", "-q"]));
        string config = Directory.GetFiles(data, "*.yaml").Single();
        string work = Path.Combine(_dir, "run");
        string[] train = ["train", "--config", config, "--backbone", "darknet_tiny_h", "--max-iters", "3", "--batch-size", "2", "--input-res", "32",
            "--work-dir", work, "--workers", "2", "--log-freq", "1", "--val-freq", "2", "--quiet"];
        Assert.Equal(0, Program.Main(train));
        Assert.True(File.Exists(Path.Combine(work, "final.pth")));
        // the same command again: resumes from latest (step 3 = done) and finishes at once
        Assert.Equal(0, Program.Main(train));
        var steps = File.ReadAllLines(Path.Combine(work, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("training/loss_cls", out _)).Select(e => e.GetProperty("step").GetInt64()).ToList();
        Assert.Equal([1L, 2, 3], steps);
        string outDir = Path.Combine(_dir, "test");
        Assert.Equal(0, Program.Main(["test", "--config", config, "--weights", Path.Combine(work, "final.safetensors"), "--input-res", "32", "--out", outDir]));
        Assert.True(File.Exists(Path.Combine(outDir, "posekd_results.csv")));
        Assert.True(File.Exists(Path.Combine(outDir, "preds.json")));
        // the same weights exported to ONNX and tested with --runtime onnx: the same images get evaluated
        string onnx = Path.Combine(_dir, "final.onnx");
        Assert.Equal(0, Program.Main(["export", "--config", config, "--weights", Path.Combine(work, "final.safetensors"), "--onnx", onnx, "--batch", "1"]));
        int res;
        using (var runner = PoseKD.Inference.Runtime.OnnxNetworkRunner.Open(onnx)) res = runner.InputRes;
        string engineDir = Path.Combine(_dir, "test-engine"), onnxDir = Path.Combine(_dir, "test-onnx");
        Assert.Equal(0, Program.Main(["test", "--config", config, "--weights", Path.Combine(work, "final.safetensors"), "--input-res", $"{res}", "--out", engineDir]));
        Assert.Equal(0, Program.Main(["test", "--config", config, "--weights", onnx, "--runtime", "onnx", "--out", onnxDir]));
        using var pe = JsonDocument.Parse(File.ReadAllText(Path.Combine(engineDir, "preds.json")));
        using var po = JsonDocument.Parse(File.ReadAllText(Path.Combine(onnxDir, "preds.json")));
        Assert.NotEqual(0, pe.RootElement.GetArrayLength());
        Assert.Equal(Rows(pe.RootElement), Rows(po.RootElement));
        // missing teacher: one clear error, exit code 1
        Assert.Equal(1, Program.Main([.. train, "--teacher-weights", Path.Combine(_dir, "nope.safetensors"), "--work-dir", Path.Combine(_dir, "r2")]));
    }

    /// <summary>Each prediction's image and whether it has a pose.</summary>
    private static List<string> Rows(JsonElement preds) =>
        preds.EnumerateArray().Select(p => $"{p.GetProperty("path").GetString()} {p.GetProperty("R").ValueKind == JsonValueKind.Null}").ToList();
}
