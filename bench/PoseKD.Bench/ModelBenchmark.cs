using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using PoseKD.Engine;
using PoseKD.Engine.Autograd;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Bench;

/// <summary>
/// Whole-network timings at 256 px with 2 threads: forward per image at batch 1 and 16 for each backbone (eval
/// mode, no autograd; tiny-H also with BatchNorm folded), and a tiny-H training step at batch 16 (train-mode
/// forward, loss Σ_k mean(cls_k²) + mean(reg_k²), backward). Each case is timed right after the same case of the
/// reference's PyTorch PoseModule (bench/torch/model_torch.py, run with Debian's python3-torch and the reference
/// on PYTHONPATH, 2 threads), and the ratio PoseKD / PyTorch is reported; without PyTorch only PoseKD is timed.
/// Repetitions are short (a smoke-level measurement); medians with min/max.
/// </summary>
public sealed class ModelBenchmark : IBenchmark
{
    private const int Threads = 2, Size = 256;

    /// <inheritdoc />
    public string Name => "model";

    /// <inheritdoc />
    public string Description => "PoseNet forward bs1/bs16 per backbone and tiny-H train step bs16 @256px, 2 threads, vs the reference in PyTorch";

    private sealed record Case(string Backbone, int Batch, string Mode, int Reps, int Warmup);

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        NativeSettings.Threads = Threads;
        report.Value("threads", Threads);
        report.Value("input_px", Size);
        if (File.Exists("/proc/loadavg"))
            report.Value("loadavg_1min_at_start", double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture));
        string? script = TorchProcess.Script("model_torch.py");
        if (script is null) Console.WriteLine($"  PyTorch side skipped: needs {TorchProcess.Python} with torch, the reference at {TorchProcess.ReferenceDir} (POSEKD_REF) and bench/torch/model_torch.py");

        Case[] cases =
        [
            new("darknet_tiny_h", 1, "infer", 5, 1), new("darknet_tiny_h", 16, "infer", 3, 1),
            new("darknet_tiny", 1, "infer", 5, 1), new("darknet_tiny", 16, "infer", 3, 1),
            new("darknet53", 1, "infer", 3, 1), new("darknet53", 16, "infer", 1, 1),
            new("darknet_tiny_h", 16, "train", 3, 1),
        ];
        foreach (var c in cases)
        {
            string key = $"{c.Backbone}.{c.Mode}.bs{c.Batch}";
            double? torchMs = script is not null ? TimeTorch(report, key, c, script) : null;
            var net = PoseNet.Create(c.Backbone, new Generator(0));
            var x = Tensor.Randn(new Generator(1), c.Batch, 3, Size, Size);
            double ms;
            if (c.Mode == "infer")
            {
                net.Eval();
                ms = report.Time($"{key}.posekd", () => { using (GradMode.NoGrad()) net.Forward(x); }, c.Reps, c.Warmup);
                if (c.Backbone == "darknet_tiny_h")
                {
                    net.FoldBatchNorm();
                    double folded = report.Time($"{key}.posekd_bn_folded", () => { using (GradMode.NoGrad()) net.Forward(x); }, c.Reps, c.Warmup);
                    report.Value($"{key}.posekd_bn_folded_ms_per_image", folded / c.Batch, "ms");
                    if (torchMs is { } t0) report.Value($"{key}.ratio_bn_folded_posekd_to_torch", folded / t0);
                }
                report.Value($"{key}.posekd_ms_per_image", ms / c.Batch, "ms");
            }
            else
            {
                net.Train();
                ms = report.Time($"{key}.posekd", () =>
                {
                    net.ZeroGrad();
                    var o = net.Forward(x);
                    Tensor? loss = null;
                    for (int k = 0; k < o.ClsLogits.Count; k++)
                    {
                        var term = (o.ClsLogits[k] * o.ClsLogits[k]).Mean() + (o.PoseReg[k] * o.PoseReg[k]).Mean();
                        loss = loss is null ? term : loss + term;
                    }
                    loss!.Backward();
                }, c.Reps, c.Warmup);
            }
            if (torchMs is { } t) report.Value($"{key}.ratio_posekd_to_torch", ms / t);
        }
    }

    private static double? TimeTorch(BenchReport report, string key, Case c, string script)
    {
        var j = TorchProcess.Run(script, ["--backbone", c.Backbone, "--batch", c.Batch.ToString(CultureInfo.InvariantCulture), "--mode", c.Mode,
            "--reps", c.Reps.ToString(CultureInfo.InvariantCulture), "--warmup", c.Warmup.ToString(CultureInfo.InvariantCulture),
            "--threads", Threads.ToString(CultureInfo.InvariantCulture), "--size", Size.ToString(CultureInfo.InvariantCulture)], Threads, key);
        if (j is null) return null;
        double median = j["median_ms"]!.GetValue<double>();
        report.Value($"{key}.torch_median_ms", median, "ms");
        report.Value($"{key}.torch_min_ms", j["min_ms"]!.GetValue<double>(), "ms");
        report.Value($"{key}.torch_max_ms", j["max_ms"]!.GetValue<double>(), "ms");
        if (c.Mode == "infer") report.Value($"{key}.torch_ms_per_image", median / c.Batch, "ms");
        return median;
    }
}
