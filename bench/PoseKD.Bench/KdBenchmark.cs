using System.Diagnostics;
using System.Text.Json;
using PoseKD.Engine;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;

namespace PoseKD.Bench;

/// <summary>
/// The distillation loss of one training step: 16 images × 8 keypoints, ~10 student against ~10 teacher cells,
/// forward + backward, PoseKD's batched Sinkhorn divergence against geomloss 0.2.4 (one call per image, as the
/// reference's kd_loss_2d does) on the same problems in the same run (bench/torch/kd_torch.py under Debian's
/// /usr/bin/python3; geomloss from <c>POSEKD_GEOMLOSS_PATH</c> or the Python path). Also records both loss values.
/// </summary>
public sealed class KdBenchmark : IBenchmark
{
    private const int Images = 16;
    private const int Reps = 30;

    /// <inheritdoc />
    public string Name => "kd";

    /// <inheritdoc />
    public string Description => "KD loss fwd+bwd, 16 images x 8 keypoints x ~10 vs ~10 cells: PoseKD vs geomloss (same run)";

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        var gen = new Generator(2023);
        var student = new List<LocalPredictions>();
        var teacher = new List<LocalPredictions>();
        var arrays = new Dictionary<string, NamedArray> { ["images"] = NamedArray.FromInt64([Images], 1) };
        for (int i = 0; i < Images; i++)
        {
            int n = 8 + (int)(gen.NextFloat() * 5), m = 8 + (int)(gen.NextFloat() * 5);
            float cx = 250 + 140 * gen.NextFloat(), cy = 180 + 120 * gen.NextFloat();
            var s = Cloud(gen, n, cx, cy, 8f, 0.05f, 0.95f);
            var t = Cloud(gen, m, cx, cy, 3f, 0.35f, 0.99f);
            s.Keypoints.RequiresGrad = true;
            s.Weights.RequiresGrad = true;
            student.Add(s);
            teacher.Add(t);
            arrays[$"s{i}.kp"] = NamedArray.FromFloats(s.Keypoints.Data, n, 8, 2);
            arrays[$"s{i}.w"] = NamedArray.FromFloats(s.Weights.Data, n);
            arrays[$"t{i}.kp"] = NamedArray.FromFloats(t.Keypoints.Data, m, 8, 2);
            arrays[$"t{i}.w"] = NamedArray.FromFloats(t.Weights.Data, m);
        }
        report.Value("images", Images);
        report.Value("student_cells_total", student.Sum(p => p.Count));
        report.Value("teacher_cells_total", teacher.Sum(p => p.Count));
        report.Value("threads", NativeSettings.Threads);

        var loss = new KeypointDistributionLoss(new KdOptions());
        // let tiered compilation promote the kernels (called thousands of times per step) before timing
        for (int r = 0; r < 60; r++)
        {
            loss.Compute(student, teacher).Backward();
            if (r % 20 == 19) Thread.Sleep(150);
        }
        float value = 0;
        double ms = report.Time("posekd.kd_sinkhorn.fwd_bwd_ms", () =>
        {
            foreach (var p in student) { p.Keypoints.Grad = null; p.Weights.Grad = null; }
            var l = loss.Compute(student, teacher);
            l.Backward();
            value = l.Item();
        }, reps: Reps, warmup: 3);
        // CPU time per call (all threads): less sensitive than wall time to a machine shared with other work
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (int r = 0; r < Reps; r++)
        {
            foreach (var p in student) { p.Keypoints.Grad = null; p.Weights.Grad = null; }
            loss.Compute(student, teacher).Backward();
        }
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / Reps;
        report.Value("posekd.kd_sinkhorn.fwd_bwd_cpu_ms", cpuMs, "ms CPU");
        cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (int r = 0; r < Reps; r++) loss.Compute(student, teacher);
        report.Value("posekd.kd_sinkhorn.forward_with_graph_cpu_ms", (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / Reps, "ms CPU");
        report.Time("posekd.kd_sinkhorn.forward_ms", () => { using var _ = Engine.Autograd.GradMode.NoGrad(); loss.Compute(student, teacher); }, reps: Reps, warmup: 2);
        report.Value("posekd.kd_value", value);

        var torch = RunTorch(arrays);
        if (torch is { } t0)
        {
            report.Value("geomloss.kd_sinkhorn.fwd_bwd_median_ms", t0.GetProperty("median_ms").GetDouble(), "ms");
            report.Value("geomloss.kd_sinkhorn.fwd_bwd_min_ms", t0.GetProperty("min_ms").GetDouble(), "ms");
            report.Value("geomloss.kd_value_float32", t0.GetProperty("value_float32").GetDouble());
            report.Value("geomloss.kd_value_float64", t0.GetProperty("value_float64").GetDouble());
            double f64 = t0.GetProperty("value_float64").GetDouble();
            report.Value("posekd_vs_geomloss64.rel_diff", Math.Abs(value - f64) / Math.Abs(f64));
            report.Value("speedup_posekd_over_geomloss", t0.GetProperty("median_ms").GetDouble() / ms, "x");
            report.Value("geomloss.kd_sinkhorn.fwd_bwd_cpu_ms", t0.GetProperty("cpu_ms").GetDouble(), "ms CPU");
            report.Value("speedup_cpu_time", t0.GetProperty("cpu_ms").GetDouble() / cpuMs, "x");
        }
        else Console.WriteLine("  geomloss timing skipped (see message above)");

        var engineJson = Path.Combine(Program.RepoRoot(), "bench", "results", "engine.json");
        if (File.Exists(engineJson))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(engineJson));
            if (doc.RootElement.GetProperty("results").TryGetProperty("onednn.total.fwd_bwd_ms", out var conv))
            {
                // context only: the conv stack of a tiny-H step from engine.json (another run) is a lower bound of a step
                report.Value("context.engine_json_conv_stack_fwd_bwd_ms", conv.GetDouble(), "ms");
                report.Value("context.kd_fraction_of_conv_stack", ms / conv.GetDouble());
            }
        }
    }

    private static LocalPredictions Cloud(Generator gen, int n, float cx, float cy, float spread, float wLo, float wHi)
    {
        var kp = Tensor.Zeros(n, 8, 2);
        var w = Tensor.Zeros(n);
        for (int c = 0; c < n; c++)
        {
            w.Data[c] = wLo + (wHi - wLo) * gen.NextFloat();
            for (int k = 0; k < 8; k++)
            {
                kp.Data[(c * 8 + k) * 2] = cx + (k % 4 - 1.5f) * 30 + spread * gen.NextNormal();
                kp.Data[(c * 8 + k) * 2 + 1] = cy + (k / 4 - 0.5f) * 40 + (k % 2) * 10 + spread * gen.NextNormal();
            }
        }
        return new LocalPredictions(kp, w, Enumerable.Range(0, n).Select(i => new CellRef(1, i)).ToArray());
    }

    private static JsonElement? RunTorch(Dictionary<string, NamedArray> arrays)
    {
        var script = Path.Combine(Program.RepoRoot(), "bench", "torch", "kd_torch.py");
        var input = Path.Combine(Path.GetTempPath(), $"posekd-kd-bench-{Environment.ProcessId}.safetensors");
        SafeTensors.WriteArrays(input, arrays);
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, input, NativeSettings.Threads.ToString(), Reps.ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (Environment.GetEnvironmentVariable("POSEKD_GEOMLOSS_PATH") is { Length: > 0 } gl)
                psi.Environment["PYTHONPATH"] = gl;
            using var p = Process.Start(psi);
            if (p is null) { Console.WriteLine("  could not start /usr/bin/python3"); return null; }
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                Console.WriteLine($"  kd_torch.py failed (exit {p.ExitCode}; set POSEKD_GEOMLOSS_PATH to a geomloss 0.2.4 checkout): {stderr.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            var line = stdout.Trim().Split('\n').Last();
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"  /usr/bin/python3 is not available ({e.Message})");
            return null;
        }
        finally
        {
            File.Delete(input);
        }
    }
}
