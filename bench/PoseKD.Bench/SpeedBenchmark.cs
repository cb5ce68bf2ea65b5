using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using PoseKD.Data.Loading;
using PoseKD.Data.Synthesis;
using PoseKD.Engine;
using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using PoseKD.Training.Config;
using PoseKD.Training.Loop;
using PoseKD.Training.Pose;
using PoseKD.Training.Runs;

namespace PoseKD.Bench;

/// <summary>
/// Issue 12's speed table, every PoseKD time next to the reference's PyTorch time of the same case measured in the
/// same run, just before it (bench/torch/speed_torch.py under Debian's python3-torch, the reference on PYTHONPATH,
/// same threads, batch and input size). Cases: the whole training step (forward, all loss terms with real targets
/// from a synthetic batch, backward, clipping, AdamW, schedule) of tiny-H and darknet_tiny at batch 16 and darknet53
/// at batch 4; tiny-H inference (eval, BN folded, network only) at batch 1 and 16; the whole test path per image
/// (decode, crop, network, post-processing, RANSAC-EPnP); peak RSS of a tiny-H training process (child processes on
/// both sides); bytes allocated per step. Also the sgemm peak of this machine and the GFLOP/s of each step, the load
/// average at start and the ISA oneDNN dispatches to. Each time is the median of ≥ 5 repetitions after warm-up.
/// </summary>
public sealed class SpeedBenchmark : IBenchmark
{
    private const int Threads = 2, Size = 256, Reps = 5, Warmup = 2;

    /// <inheritdoc />
    public string Name => "speed";

    /// <inheritdoc />
    public string Description => "issue 12's table: train step, inference, test path, RSS and allocations vs PyTorch in the same run";

    /// <summary>Set <c>POSEKD_SPEED_CASES</c> to comma-separated parts of case names (e.g. <c>train_step.darknet_tiny_h,rss</c>) to run only those.</summary>
    private static bool Wanted(string key)
    {
        var filter = Environment.GetEnvironmentVariable("POSEKD_SPEED_CASES");
        return string.IsNullOrWhiteSpace(filter) || filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(f => key.Contains(f, StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        NativeSettings.Threads = Threads;
        report.Value("threads", Threads);
        report.Value("input_px", Size);
        report.Value("reps", Reps);
        report.Value("loadavg_1min_at_start", LoadAverage());
        report.Text("onednn_isa", NativeSettings.OneDnnIsa ?? "oneDNN not loaded");
        report.Text("gc", $"server={System.Runtime.GCSettings.IsServerGC}, latency={System.Runtime.GCSettings.LatencyMode}");
        double peak = SgemmPeak(report);

        string dataDir = Path.Combine(Path.GetTempPath(), "posekd_speed_data");
        string yaml = EnsureDataset(dataDir);
        var torch = TorchSide.Find();
        if (torch is null) Console.WriteLine($"  PyTorch side skipped: needs {TorchProcess.Python} with torch, the reference at $POSEKD_REF or /tmp/ref/kd-6d-pose-adlp and bench/torch/speed_torch.py");

        foreach (var (backbone, batch) in new[] { ("darknet_tiny_h", 16), ("darknet_tiny", 16), ("darknet53", 4) })
        {
            string key = $"train_step.{backbone}.bs{batch}";
            if (!Wanted(key)) continue;
            var t = torch?.Run(report, key, ["--mode", "train-step", "--backbone", backbone, "--batch", I(batch), "--data", yaml]);
            var step = TrainStep(report, key, yaml, backbone, batch);
            // what the step buffer arena buys, in the same run: the same step with fresh allocations
            if (backbone == "darknet_tiny_h") TrainStep(report, key + ".without_arena", yaml, backbone, batch, reuseBuffers: false);
            var cost = PoseNetCost.Compute(PoseNet.Create(backbone, new Generator(0)), Size, Size);
            double stepFlops = 3.0 * cost.TotalFlops * batch; // forward + backward (≈ 2× forward)
            report.Value($"{key}.posekd_gflops_per_s", stepFlops / (step * 1e6), "GFLOP/s");
            report.Value($"{key}.share_of_sgemm_peak", stepFlops / (step * 1e6) / peak);
            if (t?["median_ms"] is { } tm) report.Value($"{key}.ratio_posekd_to_torch", step / tm.GetValue<double>());
            if (t?["peak_rss_mb"] is { } rss && backbone == "darknet_tiny_h") report.Value("rss.torch_peak_mb", rss.GetValue<double>(), "MB");
        }

        foreach (int batch in new[] { 1, 16 })
        {
            string key = $"infer.darknet_tiny_h.bs{batch}";
            if (!Wanted(key)) continue;
            var t = torch?.Run(report, key, ["--mode", "infer", "--backbone", "darknet_tiny_h", "--batch", I(batch)]);
            var net = PoseNet.Create("darknet_tiny_h", new Generator(0));
            net.Eval();
            net.FoldBatchNorm();
            var x = Tensor.Randn(new Generator(1), batch, 3, Size, Size);
            var arena = new BufferArena();
            double ms = report.Time($"{key}.posekd_bn_folded", () =>
            {
                arena.Reset();
                using (arena.Activate())
                using (GradMode.NoGrad()) net.Forward(x);
            }, batch == 1 ? 2 * Reps : Reps, Warmup);
            report.Time($"{key}.posekd_bn_folded_without_arena", () => { using (GradMode.NoGrad()) net.Forward(x); }, batch == 1 ? 2 * Reps : Reps, Warmup);
            report.Value($"{key}.posekd_ms_per_image", ms / batch, "ms");
            if (t?["median_ms"] is { } tm) report.Value($"{key}.ratio_posekd_to_torch", ms / tm.GetValue<double>());
        }

        if (Wanted("conv3x3")) DominantConv(report, peak);
        if (Wanted("loader")) Loader(report, yaml);
        if (Wanted("test_path")) TestPath(report, yaml, torch);
        if (Wanted("rss"))
        {
            Rss(report, yaml, reuseBuffers: true);
            Rss(report, yaml, reuseBuffers: false);
        }
    }

    /// <summary>
    /// One training step of <paramref name="backbone"/> on a fixed synthetic batch, through the trainer itself.
    /// Records the median step, its phases, bytes allocated and gen-2 collections per step; returns the median ms.
    /// </summary>
    private static double TrainStep(BenchReport report, string key, string yaml, string backbone, int batch, bool reuseBuffers = true)
    {
        var trainer = BuildTrainer(yaml, backbone, batch, reuseBuffers);
        for (int i = 0; i < Warmup; i++) trainer.RunStep();
        var ms = new double[Reps];
        var alloc = new double[Reps];
        int gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        double f0 = trainer.ForwardSeconds, b0 = trainer.BackwardSeconds, o0 = trainer.OptimizerSeconds;
        for (int i = 0; i < Reps; i++)
        {
            long a0 = GC.GetTotalAllocatedBytes(precise: true);
            long t0 = Stopwatch.GetTimestamp();
            trainer.RunStep();
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            alloc[i] = GC.GetTotalAllocatedBytes(precise: true) - a0;
        }
        double median = report.Record($"{key}.posekd", ms);
        report.Value($"{key}.posekd_forward_loss_ms", 1000 * (trainer.ForwardSeconds - f0) / Reps, "ms");
        report.Value($"{key}.posekd_backward_ms", 1000 * (trainer.BackwardSeconds - b0) / Reps, "ms");
        report.Value($"{key}.posekd_clip_adamw_ms", 1000 * (trainer.OptimizerSeconds - o0) / Reps, "ms");
        report.Value($"{key}.posekd_gc_pause_ms_per_step", (GC.GetTotalPauseDuration() - pause).TotalMilliseconds / Reps, "ms");
        report.Value($"{key}.posekd_gen2_collections_per_step", (GC.CollectionCount(2) - gen2) / (double)Reps);
        Array.Sort(alloc);
        report.Value($"{key}.posekd_allocated_mb_per_step", alloc[Reps / 2] / (1024.0 * 1024.0), "MB");
        if (!reuseBuffers) return median;
        // one more step with the backward nodes timed, and the network's forward alone: the step's profile
        PoseKD.Engine.Autograd.BackwardProfiler.Enable();
        trainer.RunStep();
        foreach (var (node, nodeMs, calls) in PoseKD.Engine.Autograd.BackwardProfiler.Disable().Take(8))
            report.Value($"{key}.profile.backward.{node}_ms", nodeMs, $"ms ({calls} calls)");
        var task = (PoseTrainingTask)trainer.Task;
        var images = trainer.LastBatch!.Images;
        PoseNetOutput? output = null;
        report.Time($"{key}.profile.network_forward_train_mode", () => output = task.Network.Forward(images), 3, 1);
        var layout = PoseKD.Model.Targets.HeadLayout.From(output!, task.Head);
        PoseKD.Model.Targets.HeadTargets? targets = null;
        report.Time($"{key}.profile.targets", () => targets = PoseKD.Model.Targets.TargetBuilder.Build(trainer.LastBatch.Samples, task.Keypoints3d, layout, task.Head, new Generator(9)), 3, 1);
        var loss = new PoseKD.Model.Losses.PoseLoss(task.Head);
        report.Time($"{key}.profile.losses", () => loss.Compute(output!, targets!), 3, 1);
        return median;
    }

    private static Trainer BuildTrainer(string yaml, string backbone, int batch, bool reuseBuffers = true)
    {
        var cfg = PoseKDConfig.Load(yaml).WithBackbone(backbone);
        cfg = cfg with
        {
            Input = cfg.Input with { InputRes = Size },
            Solver = cfg.Solver with { ImsPerBatch = batch, MaxIter = 10_000 },
            Run = cfg.Run with { Seed = 0, LogFreq = 1_000_000 },
        };
        var ds = DatasetSetup.Open(cfg, "TRAIN");
        var loader = new BatchLoader(new Data.Transforms.SampleBuilder(ds, ConfigMapping.ToTransformOptions(cfg), training: true), batch, 0, shuffle: true, workers: 1);
        var fixedBatch = loader.Epoch(0).First();
        var task = new PoseTrainingTask(TrainRun.BuildNetwork(cfg), ConfigMapping.ToHeadOptions(cfg), ds.Keypoints!);
        var trainer = new Trainer(task, new FixedBatchSource(fixedBatch), ConfigMapping.ToTrainerOptions(cfg) with { ReuseBuffers = reuseBuffers });
        trainer.Task.Trainable.Train();
        return trainer;
    }

    /// <summary>The same batch forever: the step is timed without data loading.</summary>
    private sealed class FixedBatchSource(Batch batch) : IBatchSource
    {
        public IEnumerable<Batch> Epoch(int epoch, int skip)
        {
            while (true) yield return batch;
        }
    }

    /// <summary>OpenBLAS sgemm 1024³ at <see cref="Threads"/> threads: this machine's practical peak, GFLOP/s.</summary>
    private static double SgemmPeak(BenchReport report)
    {
        const int n = 1024;
        var g = new Generator(3);
        var a = Tensor.Randn(g, n, n).Data;
        var b = Tensor.Randn(g, n, n).Data;
        var c = new float[n * n];
        double ms = report.Time("sgemm_1024.ms", () => Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n), Reps, Warmup);
        double gflops = 2.0 * n * n * n / (ms * 1e6);
        report.Value("sgemm_1024.gflops_per_s", gflops, "GFLOP/s");
        report.Text("sgemm_backend", Gemm.UsesOpenBlas ? "OpenBLAS" : "managed");
        return gflops;
    }

    /// <summary>Forward and backward of tiny-H's most expensive 3×3 convolution shape at batch 16, GFLOP/s.</summary>
    private static void DominantConv(BenchReport report, double peak)
    {
        // darknet_tiny_h at 256 px: the 3×3 convs at 64×64 / 32×32 carry most of the FLOPs; time the 64→128 one at 32×32.
        int n = 16, cin = 64, cout = 128, hw = 32;
        var conv = new PoseKD.Engine.Nn.Conv2d(cin, cout, 3, padding: 1, bias: false, generator: new Generator(4));
        var x = Tensor.Randn(new Generator(5), n, cin, hw, hw);
        double flops = 2.0 * n * cout * hw * hw * cin * 9;
        double fwd = report.Time("conv3x3_64to128_32px_bs16.forward", () => { using (GradMode.NoGrad()) conv.Forward(x); }, Reps, Warmup);
        report.Value("conv3x3_64to128_32px_bs16.forward_gflops_per_s", flops / (fwd * 1e6), "GFLOP/s");
        report.Value("conv3x3_64to128_32px_bs16.forward_share_of_sgemm_peak", flops / (fwd * 1e6) / peak);
        var xg = x.Detach();
        xg.RequiresGrad = true;
        double step = report.Time("conv3x3_64to128_32px_bs16.forward_backward", () =>
        {
            conv.ZeroGrad();
            xg.Grad = null;
            conv.Forward(xg).Sum().Backward();
        }, Reps, Warmup);
        report.Value("conv3x3_64to128_32px_bs16.forward_backward_gflops_per_s", 3 * flops / (step * 1e6), "GFLOP/s");
    }

    /// <summary>One training sample (decode, augmentation, DZI crop at 256 px, targets' keypoints) on one thread.</summary>
    private static void Loader(BenchReport report, string yaml)
    {
        var cfg = PoseKDConfig.Load(yaml);
        cfg = cfg with { Input = cfg.Input with { InputRes = Size } };
        var builder = new Data.Transforms.SampleBuilder(DatasetSetup.Open(cfg, "TRAIN"), ConfigMapping.ToTransformOptions(cfg), training: true);
        int i = 0;
        var rng = new Random(0);
        report.Time("loader.train_sample_256px_ms", () => builder.Build(i++ % builder.Dataset.Count, rng, out _), 4 * Reps, Warmup);
        string rgb = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(yaml)!, "real", "000001", "rgb")).Order(StringComparer.Ordinal).First();
        string mask = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(yaml)!, "real", "000001", "mask_visib")).Order(StringComparer.Ordinal).First();
        report.Time("loader.decode_rgb_png_640x480_ms", () => Data.Imaging.ImageFile.ReadRgb(rgb), 4 * Reps, Warmup);
        report.Time("loader.decode_mask_png_640x480_ms", () => Data.Imaging.ImageFile.Read(mask), 4 * Reps, Warmup);
        int j = 0;
        report.Time("loader.annotation_and_images_ms", () => builder.Dataset.TryLoad(j++ % builder.Dataset.Count, out _, out _, out _), 4 * Reps, Warmup);
    }

    /// <summary>The whole test path per image (decode, crop, network, post-processing, PnP) at batch 1, random weights.</summary>
    private static void TestPath(BenchReport report, string yaml, TorchSide? torch)
    {
        const int images = 24;
        var t = torch?.Run(report, "test_path.darknet_tiny_h", ["--mode", "test-path", "--backbone", "darknet_tiny_h", "--data", yaml, "--images", I(images)]);
        var cfg = PoseKDConfig.Load(yaml).WithBackbone("darknet_tiny_h");
        cfg = cfg with { Input = cfg.Input with { InputRes = Size }, Test = cfg.Test with { ImsPerBatch = 1, ConfidenceTh = 0 }, Run = cfg.Run with { Workers = 1 } };
        var net = TrainRun.BuildNetwork(cfg);
        net.Eval();
        net.FoldBatchNorm();
        var loader = TrainRun.TestLoader(cfg, "TEST");
        var tester = TrainRun.Tester(cfg, loader);
        tester.Evaluate(net, loader.Epoch(0).Take(2)); // warm-up
        var ms = new double[Reps];
        PoseKD.Training.Evaluation.EvaluationTimings? last = null;
        for (int r = 0; r < Reps; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var result = tester.Evaluate(net, loader.Epoch(0).Take(images));
            ms[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / result.Timings.Images;
            last = result.Timings;
        }
        double median = report.Record("test_path.darknet_tiny_h.posekd_ms_per_image", ms);
        if (last is not null)
        {
            report.Value("test_path.darknet_tiny_h.posekd_network_ms", last.NetworkMs, "ms");
            report.Value("test_path.darknet_tiny_h.posekd_post_ms", last.PostProcessMs, "ms");
        }
        if (t?["median_ms_per_image"] is { } tm) report.Value("test_path.darknet_tiny_h.ratio_posekd_to_torch", median / tm.GetValue<double>());
    }

    /// <summary>Peak RSS of a child process doing warm-up + reps tiny-H training steps at batch 16 (as the PyTorch side does).</summary>
    private static void Rss(BenchReport report, string yaml, bool reuseBuffers)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(SpeedBenchmark).Assembly.Location, "speed-rss", yaml, "darknet_tiny_h", "16", I(Warmup + Reps), reuseBuffers ? "arena" : "fresh" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string line = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        p.WaitForExit();
        if (p.ExitCode != 0 || !double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double mb))
        {
            Console.WriteLine($"  rss child failed (exit {p.ExitCode}): {err.Result.Split('\n').LastOrDefault(l => l.Length > 0)}");
            return;
        }
        report.Value(reuseBuffers ? "rss.posekd_peak_mb" : "rss.posekd_without_arena_peak_mb", mb, "MB");
    }

    /// <summary>The child side of <see cref="Rss"/>: runs the steps and prints VmHWM in MB.</summary>
    internal static int RssChild(string[] args)
    {
        NativeSettings.Threads = Threads;
        var trainer = BuildTrainer(args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), reuseBuffers: args[4] == "arena");
        int steps = int.Parse(args[3], CultureInfo.InvariantCulture);
        for (int i = 0; i < steps; i++) trainer.RunStep();
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        double kb = double.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        Console.WriteLine((kb / 1024).ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    private static string EnsureDataset(string dir)
    {
        string yaml = Path.Combine(dir, "000001_lblock.yaml");
        if (File.Exists(yaml)) return yaml;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        SyntheticDatasetGenerator.Generate(new SynthOptions { OutputDir = dir, Objects = ["lblock"], ImagesPerObject = 64, TrainFraction = 0.5, Seed = 0, Threads = Threads });
        return yaml;
    }

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs bench/torch/speed_torch.py for one case and records its numbers under the case's key.</summary>
    private sealed class TorchSide(string script)
    {
        public static TorchSide? Find() => TorchProcess.Script("speed_torch.py") is { } s ? new TorchSide(s) : null;

        public JsonObject? Run(BenchReport report, string key, string[] args)
        {
            var j = TorchProcess.Run(script, [.. args, "--size", I(Size), "--reps", I(Reps), "--warmup", I(Warmup), "--threads", I(Threads)], Threads, key);
            if (j is null) return null;
            foreach (var (name, value) in j)
                if (value is JsonValue v && v.TryGetValue<double>(out double d)) report.Value($"{key}.torch_{name}", d);
            return j;
        }
    }
}
