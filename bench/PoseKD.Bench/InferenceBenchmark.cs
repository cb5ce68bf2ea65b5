using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PoseKD.Data.Imaging;
using PoseKD.Engine;
using PoseKD.Engine.Tensors;
using PoseKD.Inference;
using PoseKD.Inference.Onnx;
using PoseKD.Inference.Runtime;
using PoseKD.Model.Network;

namespace PoseKD.Bench;

/// <summary>
/// Network inference per image at 256 px, in one run: ONNX Runtime (CPU, the exported model) vs PoseKD's engine
/// (BatchNorm folded) vs PyTorch 1.13 running the reference's own network modules (imported from
/// <c>POSEKD_REF</c>, default /tmp/ref/kd-6d-pose-adlp; skipped when absent), all with the same thread count;
/// batch 1 and 16 for darknet_tiny_h, batch 1 for darknet53; plus the whole <c>PoseEstimator.Estimate</c>
/// call (warp, crop, network, post-processing) on a 640×480 image. Ratios are taken within the run.
/// </summary>
public sealed class InferenceBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "inference";

    /// <inheritdoc />
    public string Description => "ONNX Runtime vs engine vs PyTorch per-image inference @256px (tiny-H bs1/bs16, darknet53 bs1) + Estimate()";

    private static readonly (string Backbone, int Batch, int Reps)[] Cases = [("darknet_tiny_h", 1, 20), ("darknet_tiny_h", 16, 3), ("darknet53", 1, 5)];

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        int threads = NativeSettings.Threads;
        report.Value("threads", threads);
        var torch = RunTorch(threads);
        foreach (var (backbone, batch, reps) in Cases)
        {
            var net = new PoseNet(PoseNetOptions.ForBackbone(backbone), new Generator(1));
            var meta = new PoseModelMetadata
            {
                Backbone = backbone, NClass = net.Options.NClass, LevelStrides = net.Options.LevelStrides,
                AnchorSizes = net.Options.AnchorSizes, AnchorStrides = net.Options.AnchorStrides,
                Keypoints3d = Enumerable.Range(0, net.Options.NClass - 1).Select(_ => Box()).ToArray(),
            };
            var model = OnnxExporter.ExportPoseNet(net, meta, new OnnxExportOptions { DynamicBatch = true });
            using var ort = OnnxNetworkRunner.FromBytes(model, backbone + ".onnx", threads);
            using var engine = new EngineNetworkRunner(net);
            var x = Tensor.Randn(new Generator(2), batch, 3, 256, 256);
            string tag = $"{backbone}.bs{batch}";
            double ortMs = report.Time($"{tag}.onnxruntime", () => ort.Run(x), reps, 1) / batch;
            double engMs = report.Time($"{tag}.engine", () => engine.Run(x), reps, 1) / batch;
            report.Value($"{tag}.onnxruntime_ms_per_image", ortMs, "ms");
            report.Value($"{tag}.engine_ms_per_image", engMs, "ms");
            report.Value($"{tag}.engine_over_onnxruntime", engMs / ortMs, "×");
            if (torch.TryGetValue(tag, out var torchMs))
            {
                report.Value($"{tag}.pytorch_ms_per_image", torchMs, "ms");
                report.Value($"{tag}.onnxruntime_over_pytorch", ortMs / torchMs, "×");
                report.Value($"{tag}.engine_over_pytorch", engMs / torchMs, "×");
            }
            if (batch == 1)
            {
                var image = new Image8(640, 480, 3);
                new Random(3).NextBytes(image.Data);
                double[] k = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];
                double[] box = [250, 170, 400, 310];
                using var eOrt = new PoseEstimator(OnnxNetworkRunner.FromBytes(model, backbone + ".onnx", threads), meta);
                using var eEng = new PoseEstimator(new EngineNetworkRunner(net), meta);
                report.Time($"{tag}.estimate_onnxruntime", () => eOrt.Estimate(image, k, box), reps, 1);
                report.Time($"{tag}.estimate_engine", () => eEng.Estimate(image, k, box), reps, 1);
            }
        }
    }

    private static double[] Box()
    {
        var b = new double[24];
        for (int i = 0; i < 8; i++) { b[3 * i] = (i & 4) != 0 ? 40 : -40; b[3 * i + 1] = (i & 2) != 0 ? 30 : -30; b[3 * i + 2] = (i & 1) != 0 ? 20 : -20; }
        return b;
    }

    /// <summary>
    /// Times the reference network (backbone → FPN → head, eval, no_grad) in Debian's PyTorch; returns ms per image
    /// keyed like the C# cases, or nothing when python3/torch or the reference export is missing.
    /// </summary>
    private static Dictionary<string, double> RunTorch(int threads)
    {
        var result = new Dictionary<string, double>();
        var refDir = Environment.GetEnvironmentVariable("POSEKD_REF") ?? "/tmp/ref/kd-6d-pose-adlp";
        if (!File.Exists("/usr/bin/python3") || !Directory.Exists(refDir))
        {
            Console.WriteLine($"  (PyTorch skipped: /usr/bin/python3 or the reference at {refDir} is missing)");
            return result;
        }
        var script = Path.Combine(Path.GetTempPath(), $"posekd-torch-infer-{Environment.ProcessId}.py");
        File.WriteAllText(script, TorchScript);
        try
        {
            var cases = string.Join(",", Cases.Select(c => $"{c.Backbone}:{c.Batch}:{c.Reps}"));
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, threads.ToString(CultureInfo.InvariantCulture), cases])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            psi.Environment["PYTHONPATH"] = refDir;
            using var p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) { Console.WriteLine($"  (PyTorch failed: {stderr.Trim().Split('\n').LastOrDefault()})"); return result; }
            var last = stdout.Trim().Split('\n')[^1];
            foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, double>>(last) ?? []) result[key] = value;
        }
        finally { File.Delete(script); }
        return result;
    }

    // Imports the reference's own modules (not a copy of them) and times their forward pass.
    private const string TorchScript = """
        import json, sys, time, types
        import numpy as np
        import torch
        class _Stub(types.ModuleType):
            def __getattr__(self, name):
                if name.startswith("__"):
                    raise AttributeError(name)
                return _Stub(self.__name__ + "." + name)
        for m in ("torchvision", "torchvision.ops", "torchvision.transforms", "trimesh", "tqdm", "pyrender", "transforms3d",
                  "psutil", "tensorboardX", "matplotlib", "matplotlib.pyplot", "geomloss"):
            try:
                __import__(m)
            except ImportError:
                sys.modules[m] = _Stub(m)
        if not hasattr(np, "float"):
            np.float = float
        from backbone.darknet import darknet_tiny_h, darknet_tiny
        from backbone.darknet53 import darknet53
        from models.model import PoseModule
        torch.set_num_threads(int(sys.argv[1]))
        feats = {"darknet_tiny_h": ([0, 0, 64, 64], 128, darknet_tiny_h), "darknet_tiny": ([0, 0, 128, 128], 256, darknet_tiny),
                 "darknet53": ([0, 0, 256, 512, 1024], 256, darknet53)}
        out = {}
        for case in sys.argv[2].split(","):
            name, batch, reps = case.split(":"); batch = int(batch); reps = int(reps)
            fc, oc, make = feats[name]
            cfg = {"DATASETS": {"N_CLASS": 16, "SYMMETRY_TYPES": {}},
                   "MODEL": {"N_CONV": 4, "PRIOR": 0.01, "USE_HIGHER_LEVELS": True, "FEAT_CHANNELS": fc, "OUT_CHANNEL": oc,
                             "ANCHOR_SIZES": [32, 64, 128, 256, 512], "ANCHOR_STRIDES": [8, 16, 32, 64, 128]},
                   "SOLVER": {"REGRESSION_TYPE": "POINT", "POSITIVE_NUM": 10, "POSITIVE_LAMBDA": 1.0, "LOSS_REG_TYPE": "3D"},
                   "TEST": {"CONFIDENCE_TH": 0.1}}
            model = PoseModule(cfg, make(pretrained=False)).eval()
            x = torch.randn(batch, 3, 256, 256)
            times = []
            with torch.no_grad():
                model.head(model.fpn(model.backbone(x)))
                for _ in range(reps):
                    t0 = time.perf_counter()
                    model.head(model.fpn(model.backbone(x)))
                    times.append((time.perf_counter() - t0) * 1000)
            out["%s.bs%d" % (name, batch)] = float(np.median(times)) / batch
        print(json.dumps(out))
        """;
}
