using PoseKD.Engine;
using PoseKD.Engine.Interop;
using PoseKD.Engine.Kernels;

namespace PoseKD.Bench;

/// <summary>
/// Per-layer conv2d timings of the Darknet-tiny-H pose network (256 px input, batch 16): backbone, FPN and head
/// convolutions, forward and backward (data + weights), through oneDNN and through the im2col + sgemm fallback;
/// head GroupNorm; sgemm GFLOP/s; and the summed forward+backward time of the whole conv stack compared with
/// PyTorch 1.13's measured tiny-H step (1.53 s per training step, 33 ms/image inference at batch 16).
/// </summary>
public sealed class EngineBenchmark : IBenchmark
{
    private const int Batch = 16;
    private const double TorchTrainStepMs = 1530;
    private const double TorchInferenceMsPerImage = 33;

    /// <inheritdoc />
    public string Name => "engine";

    /// <inheritdoc />
    public string Description => "tiny-H conv layers @256px batch 16: oneDNN vs im2col+sgemm, fwd/bwd ms and GFLOP/s, totals vs PyTorch";

    /// <summary>One distinct conv layer: how many times it occurs in the network, and whether its input needs a gradient.</summary>
    private sealed record Layer(string Name, int InC, int OutC, int K, int Stride, int Size, int Count, bool Bias, bool InputGrad);

    private static List<Layer> Layers()
    {
        var l = new List<Layer>
        {
            // Backbone (conv → BN → LeakyReLU, no conv bias); the image needs no gradient.
            new("bb.s1.u1 3x3 3-8 @256", 3, 8, 3, 1, 256, 1, false, false),
            new("bb.s2.u1 3x3 8-16 @128", 8, 16, 3, 1, 128, 1, false, true),
            new("bb.s3.u1 1x1 16-8 @64", 16, 8, 1, 1, 64, 1, false, true),
            new("bb.s3.u2 3x3 8-64 @64", 8, 64, 3, 1, 64, 2, false, true),
            new("bb.s3.u3 1x1 64-8 @64", 64, 8, 1, 1, 64, 1, false, true),
            new("bb.s4.u1 1x1 64-16 @32", 64, 16, 1, 1, 32, 1, false, true),
            new("bb.s4.u2 3x3 16-128 @32", 16, 128, 3, 1, 32, 2, false, true),
            new("bb.s4.u3 1x1 128-16 @32", 128, 16, 1, 1, 32, 1, false, true),
            new("bb.s5.u1 1x1 128-32 @16", 128, 32, 1, 1, 16, 1, false, true),
            new("bb.s5.u2 3x3 32-256 @16", 32, 256, 3, 1, 16, 2, false, true),
            new("bb.s5.u3 1x1 256-32 @16", 256, 32, 1, 1, 16, 1, false, true),
            new("bb.s5.u5 1x1 256-64 @16", 256, 64, 1, 1, 16, 1, false, true),
            // FPN over stage-3 (64 ch @32) and stage-5 (64 ch @16) outputs; P6 from the last backbone output.
            new("fpn.lateral 1x1 64-128 @32", 64, 128, 1, 1, 32, 1, true, true),
            new("fpn.lateral 1x1 64-128 @16", 64, 128, 1, 1, 16, 1, true, true),
            new("fpn.out 3x3 128-128 @32", 128, 128, 3, 1, 32, 1, true, true),
            new("fpn.out 3x3 128-128 @16", 128, 128, 3, 1, 16, 1, true, true),
            new("fpn.p6 3x3s2 64-128 @16", 64, 128, 3, 2, 16, 1, true, true),
            new("fpn.p7 3x3s2 128-128 @8", 128, 128, 3, 2, 8, 1, true, true),
        };
        foreach (int size in new[] { 32, 16, 8, 4 })
        {
            l.Add(new($"head.tower 3x3 128-128 @{size}", 128, 128, 3, 1, size, 8, true, true));
            l.Add(new($"head.cls 3x3 128-1 @{size}", 128, 1, 3, 1, size, 1, true, true));
            l.Add(new($"head.pose 3x3 128-16 @{size}", 128, 16, 3, 1, size, 1, true, true));
        }
        return l;
    }

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        report.Value("threads", NativeSettings.Threads);
        // Other processes disturb timings on a shared machine: record the load the numbers were taken under.
        if (File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out double load))
            report.Value("loadavg_1min_at_start", load);
        report.Value("openblas", OpenBlas.IsAvailable ? 1 : 0);
        report.Value("onednn", OneDnnConv.IsAvailable ? 1 : 0);
        SgemmPeak(report);

        var layers = Layers();
        var paths = new List<(string Name, bool OneDnn)>();
        if (OneDnnConv.IsAvailable) paths.Add(("onednn", true));
        paths.Add(("im2col", false));
        bool savedDnn = NativeSettings.UseOneDnn;
        try
        {
            foreach (var (pathName, useDnn) in paths)
            {
                NativeSettings.UseOneDnn = useDnn;
                double fwdTotal = 0, bwdTotal = 0, flopTotal = 0;
                foreach (var layer in layers)
                {
                    var (f, b, fl) = TimeLayer(report, pathName, layer);
                    fwdTotal += f * layer.Count;
                    bwdTotal += b * layer.Count;
                    flopTotal += fl * layer.Count;
                }
                report.Value($"{pathName}.total.forward_ms", fwdTotal, "ms");
                report.Value($"{pathName}.total.backward_ms", bwdTotal, "ms");
                report.Value($"{pathName}.total.fwd_bwd_ms", fwdTotal + bwdTotal, "ms");
                report.Value($"{pathName}.total.gflops", flopTotal / ((fwdTotal + bwdTotal) * 1e6), "GFLOP/s");
                report.Value($"{pathName}.ratio_conv_stack_to_torch_train_step", (fwdTotal + bwdTotal) / TorchTrainStepMs);
                report.Value($"{pathName}.forward_ms_per_image", fwdTotal / Batch, "ms");
                report.Value($"{pathName}.ratio_conv_forward_to_torch_inference", fwdTotal / Batch / TorchInferenceMsPerImage);
            }
        }
        finally { NativeSettings.UseOneDnn = savedDnn; }

        double gn = GroupNorm(report);
        report.Value("groupnorm.head_total_fwd_bwd_ms", gn, "ms");
        if (OneDnnConv.IsAvailable) LayoutComparison(report);
    }

    private static void SgemmPeak(BenchReport report)
    {
        const int n = 1024;
        var a = Fill(n * n, 1); var b = Fill(n * n, 2); var c = new float[n * n];
        double ms = report.Time("sgemm 1024^3", () => Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n), reps: 5, warmup: 1);
        report.Value("sgemm_1024_gflops", 2.0 * n * n * n / (ms * 1e6), "GFLOP/s");
    }

    /// <summary>Times one layer's forward and backward (data when needed + weights); returns (fwd ms, bwd ms, fwd+bwd FLOPs).</summary>
    private static (double Fwd, double Bwd, double Flops) TimeLayer(BenchReport report, string path, Layer layer)
    {
        var s = new Conv2dShape(Batch, layer.InC, layer.Size, layer.Size, layer.OutC, layer.K, layer.K, layer.Stride, layer.K / 2);
        var x = Fill((int)s.InputSize, 3);
        var w = Fill((int)s.WeightSize, 4);
        var bias = layer.Bias ? Fill(layer.OutC, 5) : [];
        var y = new float[s.OutputSize];
        var dy = Fill((int)s.OutputSize, 6);
        var dx = new float[s.InputSize];
        var dw = new float[s.WeightSize];
        var db = new float[layer.Bias ? layer.OutC : 0];
        int reps = s.Flops > 2e9 ? 3 : s.Flops > 2e8 ? 5 : 9;
        string key = $"{path}.{layer.Name}";
        double f = report.Time($"{key}.fwd", () => Conv2d.Forward(x, w, bias, y, s), reps, warmup: 1);
        double b = report.Time($"{key}.bwd", () =>
        {
            if (layer.InputGrad) Conv2d.BackwardData(dy, w, dx, s);
            Conv2d.BackwardWeights(x, dy, dw, db, s);
        }, reps, warmup: 1);
        double bwdFlops = s.Flops * (layer.InputGrad ? 2 : 1);
        report.Value($"{key}.fwd_gflops", s.Flops / (f * 1e6), "GFLOP/s");
        report.Value($"{key}.bwd_gflops", bwdFlops / (b * 1e6), "GFLOP/s");
        return (f, b, s.Flops + bwdFlops);
    }

    /// <summary>GroupNorm(32, 128) after each head tower conv: 8 per level at 32², 16², 8², 4²; returns summed fwd+bwd ms.</summary>
    private static double GroupNorm(BenchReport report)
    {
        double total = 0;
        const int c = 128, groups = 32;
        foreach (int size in new[] { 32, 16, 8, 4 })
        {
            int count = Batch * c * size * size;
            var x = Fill(count, 7); var y = new float[count]; var dy = Fill(count, 8); var dx = new float[count];
            var gamma = Fill(c, 9); var beta = Fill(c, 10); var dg = new float[c]; var dbeta = new float[c];
            var mean = new float[Batch * groups]; var inv = new float[Batch * groups];
            double f = report.Time($"groupnorm.@{size}.fwd", () => GroupNormKernels.Forward(x, gamma, beta, y, mean, inv, 1e-5f, Batch, c, size, size, groups), 9, 1);
            double b = report.Time($"groupnorm.@{size}.bwd", () => GroupNormKernels.Backward(dy, x, mean, inv, gamma, dx, dg, dbeta, Batch, c, size, size, groups), 9, 1);
            total += 8 * (f + b);
        }
        return total;
    }

    /// <summary>oneDNN with plain NCHW/OIHW primitives vs blocked layouts + reorders, on the head's 3×3 128→128 conv at 32².</summary>
    private static void LayoutComparison(BenchReport report)
    {
        var s = new Conv2dShape(Batch, 128, 32, 32, 128, 3, 3, 1, 1);
        var x = Fill((int)s.InputSize, 11); var w = Fill((int)s.WeightSize, 12); var bias = Fill(128, 13);
        var y = new float[s.OutputSize]; var dy = Fill((int)s.OutputSize, 14); var dx = new float[s.InputSize];
        var dw = new float[s.WeightSize]; var db = new float[128];
        bool saved = OneDnnConv.UseBlockedLayouts;
        try
        {
            foreach (bool blocked in new[] { false, true })
            {
                OneDnnConv.UseBlockedLayouts = blocked;
                string tag = blocked ? "blocked" : "plain";
                report.Value($"layout.{tag}.impl={OneDnnConv.ForwardImplementation(s, true)}", 1);
                double f = report.Time($"layout.{tag}.fwd", () => OneDnnConv.Forward(x, w, bias, y, s), 5, 1);
                double bd = report.Time($"layout.{tag}.bwd_data", () => OneDnnConv.BackwardData(dy, w, dx, s), 5, 1);
                double bw = report.Time($"layout.{tag}.bwd_weights", () => OneDnnConv.BackwardWeights(x, dy, dw, db, s), 5, 1);
                report.Value($"layout.{tag}.fwd_gflops", s.Flops / (f * 1e6), "GFLOP/s");
                report.Value($"layout.{tag}.bwd_data_gflops", s.Flops / (bd * 1e6), "GFLOP/s");
                report.Value($"layout.{tag}.bwd_weights_gflops", s.Flops / (bw * 1e6), "GFLOP/s");
            }
        }
        finally { OneDnnConv.UseBlockedLayouts = saved; }
    }

    private static float[] Fill(int count, int seed)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(rng.NextDouble() - 0.5);
        return a;
    }
}
