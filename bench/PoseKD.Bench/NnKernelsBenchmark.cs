using PoseKD.Engine.Kernels;

namespace PoseKD.Bench;

/// <summary>
/// Norm/pool/upsample/activation/loss kernels at the tiny-H network's sizes (batch 16, 256 px): forward and
/// backward ms of the optimised kernels, memory bandwidth they reach, and the speed-up over the plain reference
/// kernels.
/// </summary>
public sealed class NnKernelsBenchmark : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "nnkernels";

    /// <inheritdoc/>
    public string Description => "batch norm, group norm, max-pool, upsample, leaky ReLU, focal loss kernels at tiny-H sizes";

    /// <inheritdoc/>
    public void Run(BenchReport report)
    {
        var rng = new Random(1);
        float[] R(int count) { var a = new float[count]; for (int i = 0; i < count; i++) a[i] = (float)(rng.NextDouble() * 4 - 2); return a; }

        // BatchNorm on the stem output of tiny-H: [16, 8, 256, 256]
        {
            const int n = 16, c = 8, h = 256, w = 256;
            var x = R(n * c * h * w); var dy = R(x.Length); var y = new float[x.Length]; var dx = new float[x.Length];
            var wt = R(c); var b = R(c); var mean = new float[c]; var inv = new float[c]; var rm = new float[c]; var rv = new float[c];
            var dw = new float[c]; var db = new float[c];
            double f = report.Time("batchnorm_16x8x256x256_fwd_train_ms", () => BatchNormKernels.ForwardTraining(x, wt, b, y, mean, inv, rm, rv, 0.1f, 1e-5f, n, c, h, w), 7, 1);
            double bw = report.Time("batchnorm_16x8x256x256_bwd_train_ms", () => BatchNormKernels.BackwardTraining(dy, x, mean, inv, wt, dx, dw, db, n, c, h, w), 7, 1);
            report.Value("batchnorm_fwd_GBps", 3.0 * x.Length * 4 / (f * 1e6), "GB/s (x read twice, y written)");
            report.Value("batchnorm_bwd_GBps", 5.0 * x.Length * 4 / (bw * 1e6), "GB/s (dy, x read twice, dx written)");
            double fr = report.Time("batchnorm_16x8x256x256_fwd_train_reference_ms", () => BatchNormKernels.ForwardTrainingReference<float>(x, wt, b, y, mean, inv, rm, rv, 0.1f, 1e-5f, n, c, h, w), 3, 1);
            report.Value("batchnorm_fwd_speedup_vs_reference", fr / f, "x");
            report.Time("leaky_relu_16x8x256x256_fwd_inplace_ms", () => ActivationKernels.LeakyRelu(y, y, 0.1f), 7, 1);
            report.Time("leaky_relu_16x8x256x256_bwd_ms", () => ActivationKernels.LeakyReluBackward(dy, y, dx, 0.1f), 7, 1);
            int ho = h / 2, wo = w / 2;
            var py = new float[n * c * ho * wo]; var idx = new int[py.Length];
            report.Time("maxpool2x2_16x8x256x256_fwd_ms", () => PoolKernels.MaxPool2dForward(x, py, idx, n, c, h, w, 2, 2, 2, 2, 0, 0), 7, 1);
            report.Time("maxpool2x2_16x8x256x256_bwd_ms", () => PoolKernels.MaxPool2dBackward(py, idx, dx, n, c, h, w, ho, wo), 7, 1);
        }
        // GroupNorm(32) of the head towers at the first level: [16, 128, 32, 32]
        {
            const int n = 16, c = 128, h = 32, w = 32, g = 32;
            var x = R(n * c * h * w); var dy = R(x.Length); var y = new float[x.Length]; var dx = new float[x.Length];
            var wt = R(c); var b = R(c); var mean = new float[n * g]; var inv = new float[n * g];
            var dw = new float[c]; var db = new float[c];
            double f = report.Time("groupnorm32_16x128x32x32_fwd_ms", () => GroupNormKernels.Forward(x, wt, b, y, mean, inv, 1e-5f, n, c, h, w, g), 9, 2);
            report.Time("groupnorm32_16x128x32x32_bwd_ms", () => GroupNormKernels.Backward(dy, x, mean, inv, wt, dx, dw, db, n, c, h, w, g), 9, 2);
            double fr = report.Time("groupnorm32_16x128x32x32_fwd_reference_ms", () => GroupNormKernels.ForwardReference<float>(x, wt, b, y, mean, inv, 1e-5f, n, c, h, w, g), 3, 1);
            report.Value("groupnorm_fwd_speedup_vs_reference", fr / f, "x");
        }
        // FPN top-down nearest ×2: [16, 128, 16, 16] → 32×32
        {
            const int n = 16, c = 128, h = 16, w = 16;
            var x = R(n * c * h * w); var y = new float[x.Length * 4]; var dx = new float[x.Length];
            report.Time("upsample2_16x128x16x16_fwd_ms", () => UpsampleKernels.NearestForward(x, y, n, c, h, w, 2), 9, 2);
            report.Time("upsample2_16x128x16x16_bwd_ms", () => UpsampleKernels.NearestBackward(y, dx, n, c, h, w, 2), 9, 2);
        }
        // focal loss over all cells of the 4 levels, batch 16: 16·(32²+16²+8²+4²) cells, 1 class
        {
            int cells = 16 * (32 * 32 + 16 * 16 + 8 * 8 + 4 * 4);
            var x = R(cells); var d = new float[cells]; var labels = new int[cells];
            for (int i = 0; i < cells; i++) labels[i] = rng.Next(-1, 2);
            double fused = report.Time("focal_21760cells_fused_fwd_bwd_ms", () => FocalLossKernels.ForwardWithGrad(x, labels, d, 2f, 0.25f, 1e-4f, cells, 1), 9, 2);
            double unfused = report.Time("focal_21760cells_unfused_fwd_plus_bwd_ms", () =>
            {
                FocalLossKernels.Forward(x, labels, 2f, 0.25f, 1e-4f, cells, 1);
                FocalLossKernels.Backward(x, labels, 1f, d, 2f, 0.25f, 1e-4f, cells, 1);
            }, 9, 2);
            report.Value("focal_fused_speedup", unfused / fused, "x");
        }
    }
}
