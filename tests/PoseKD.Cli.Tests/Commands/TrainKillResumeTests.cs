using System.Diagnostics;
using PoseKD.Engine.Serialization;

namespace PoseKD.Cli.Tests.Commands;

/// <summary>
/// A real `posekd train` process killed with SIGKILL mid-run, then the same command again in the same work
/// directory, against one uninterrupted run: the final weights must be bit-identical (loader workers &gt; 1).
/// </summary>
public sealed class TrainKillResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-cli-kill-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private const int MaxIters = 14, KillAfter = 5;

    [Fact]
    public void Train_KilledWithSigkillThenRerun_FinalWeightsBitIdenticalToUninterrupted()
    {
        string data = Path.Combine(_dir, "data");
        Assert.Equal(0, Program.Main(["synth", "-o", data, "-n", "10", "--objects", "lblock", "--width", "160", "--height", "120",
            "--K", "143.1,143.4,81.3,60.5", "--min-distance", "300", "--max-distance", "350", "--train-fraction", "0.6", "--no-depth", "-q"]));
        string config = Directory.GetFiles(data, "*.yaml").Single();
        // latest every 2 steps, no validation until the end (PoseKD's own keys extend the reference's YAML)
        File.AppendAllText(config, "POSEKD:\n  CHECKPOINT_FREQ: 2\n  EVAL_TEACHER: false\n");

        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        Assert.Equal(0, Run(Start(config, a), killAfterStep: null, a));

        var victim = Start(config, b);
        int killed = Run(victim, KillAfter, b);
        Assert.NotEqual(0, killed);
        Assert.False(File.Exists(Path.Combine(b, "final.safetensors")), "the killed run finished before it was killed: the test proves nothing");
        Assert.True(File.Exists(Path.Combine(b, "latest.safetensors")), "no latest checkpoint was written before the kill");

        Assert.Equal(0, Run(Start(config, b), killAfterStep: null, b));
        var wa = Checkpoint.ReadWeights(Path.Combine(a, "final.safetensors"));
        var wb = Checkpoint.ReadWeights(Path.Combine(b, "final.safetensors"));
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (var (k, v) in wa)
        {
            if (v.DType == "I64") { Assert.Equal(v.Int64Data, wb[k].Int64Data); continue; }
            Assert.True(v.Data.AsSpan().SequenceEqual(wb[k].Data), $"{k} differs between the killed-and-resumed and the uninterrupted run");
        }
    }

    private static Process Start(string config, string workDir)
    {
        string dll = typeof(Program).Assembly.Location; // posekd.dll, next to its runtimeconfig in the test output
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "train", "--config", config, "--backbone", "darknet_tiny_h", "--max-iters", MaxIters.ToString(), "--batch-size", "2",
                     "--input-res", "64", "--work-dir", workDir, "--workers", "2", "--threads", "1", "--log-freq", "1", "--val-freq", "1000", "--seed", "5", "--quiet" })
            psi.ArgumentList.Add(arg);
        return Process.Start(psi)!;
    }

    /// <summary>Waits for the process; with <paramref name="killAfterStep"/>, SIGKILLs it once metrics.jsonl shows that step.</summary>
    private static int Run(Process p, int? killAfterStep, string workDir)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        if (killAfterStep is { } step)
        {
            string metrics = Path.Combine(workDir, "metrics.jsonl");
            while (!p.HasExited && DateTime.UtcNow < deadline)
            {
                if (File.Exists(metrics) && ReadShared(metrics).Contains($"\"step\":{step},", StringComparison.Ordinal))
                {
                    p.Kill(); // SIGKILL on Linux: no handler runs, nothing is flushed
                    break;
                }
                Thread.Sleep(10);
            }
        }
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(); throw new TimeoutException("posekd train did not finish in 5 minutes"); }
        if (killAfterStep is null && p.ExitCode != 0) Assert.Fail($"posekd train failed ({p.ExitCode}): {stdout.Result}\n{stderr.Result}");
        return p.ExitCode;
    }

    private static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
