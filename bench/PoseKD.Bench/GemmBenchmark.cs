using PoseKD.Engine;
using PoseKD.Engine.Interop;
using PoseKD.Engine.Kernels;

namespace PoseKD.Bench;

/// <summary>sgemm GFLOP/s (2·m·n·k / time) of OpenBLAS and of the managed packed GEMM.</summary>
public sealed class GemmBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "gemm";

    /// <inheritdoc />
    public string Description => "sgemm GFLOP/s: OpenBLAS vs managed, 1024³ and conv-like 128×16384×1152";

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        report.Value("threads", NativeSettings.Threads);
        // Other processes disturb timings on a shared machine: record the load the numbers were taken under.
        if (File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out double load))
            report.Value("loadavg_1min_at_start", load);
        report.Value("openblas_available", OpenBlas.IsAvailable ? 1 : 0);
        foreach (var (m, n, k, tag) in new[] { (1024, 1024, 1024, "1024^3"), (128, 16384, 1152, "128x16384x1152") })
        {
            var rng = new Random(1);
            var a = new float[m * k]; var b = new float[k * n]; var c = new float[m * n];
            for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
            for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;
            double gflop = 2.0 * m * n * k * 1e-9;
            if (OpenBlas.IsAvailable)
            {
                double ms = report.Time($"openblas_{tag}", () => OpenBlas.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n), reps: 10);
                report.Value($"openblas_{tag}_gflops", gflop / (ms * 1e-3), "GFLOP/s");
            }
            double msm = report.Time($"managed_{tag}", () => Gemm.Managed(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n), reps: 10);
            report.Value($"managed_{tag}_gflops", gflop / (msm * 1e-3), "GFLOP/s");
        }
    }
}
