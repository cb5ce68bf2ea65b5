using PoseKD.Cli.Commands;
using PoseKD.Data.Imaging;
using PoseKD.Engine.Autograd;
using PoseKD.Geometry.Cameras;
using PoseKD.Inference;
using PoseKD.Inference.Configuration;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Inference.Runtime;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;
using PoseKD.Training.Config;
using PoseKD.TestSupport;

namespace PoseKD.Cli.Tests.Commands;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("posekd_export_").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A tiny-H network with 2 object classes, its weights file and a config (64 px crops, a 2-class box file).</summary>
    private (PoseNet Net, string Config, string Weights) Setup()
    {
        var net = new PoseNet(PoseNetOptions.ForBackbone("darknet_tiny_h") with { NClass = 3 }, new Generator(5));
        var weights = Path.Combine(_dir, "w.safetensors");
        Checkpoint.SaveWeights(weights, net);
        var corners = string.Join(",", Enumerable.Range(0, 8).Select(i => $"[{((i & 4) != 0 ? 30 : -30)},{((i & 2) != 0 ? 20 : -20)},{((i & 1) != 0 ? 10 : -10)}]"));
        File.WriteAllText(Path.Combine(_dir, "bbox.json"), $"[[{corners}],[{corners}]]");
        var config = Path.Combine(_dir, "cfg.yaml");
        File.WriteAllText(config, """
            MODEL:
              BACKBONE: 'darknet_tiny_h'
            DATASETS:
              N_CLASS: 3
              BBOX_FILE: 'bbox.json'
              SYMMETRY_TYPES: { "cls_1": ['Z', 180] }
            INPUT:
              INPUT_RES: 64
            TEST:
              CONFIDENCE_TH: 0.2
            """);
        return (net, config, weights);
    }

    [Fact]
    public void Main_DynamicBatch_WritesAModelThatRunsLikeTheEngine()
    {
        var (net, config, weights) = Setup();
        var onnx = Path.Combine(_dir, "out", "m.onnx");
        Assert.Equal(0, Program.Main(["export", "--config", config, "--weights", weights, "--onnx", onnx, "--dynamic-batch"]));
        using var runner = OnnxNetworkRunner.Open(onnx, intraOpThreads: 1);
        Assert.Null(runner.FixedBatch);
        Assert.Equal(17, runner.Opset);
        var m = runner.Metadata;
        Assert.Equal("darknet_tiny_h", m.Backbone);
        Assert.Equal(3, m.NClass);
        Assert.Equal(64, m.InputRes);
        Assert.Equal(0.2, m.ConfidenceTh);
        Assert.Equal(2, m.Keypoints3d.Count);
        Assert.Equal(["Z", "180"], m.SymmetryTypes[1]);
        var x = Tensor.Randn(new Generator(9), 2, 3, 64, 64);
        var ort = runner.Run(x);
        PoseNetOutput engine;
        using (GradMode.NoGrad()) engine = net.Eval() is PoseNet n ? n.Forward(x) : throw new InvalidOperationException();
        for (int k = 0; k < m.LevelCount; k++)
        {
            Numeric.AssertClose(engine.ClsLogits[k].Data, ort.ClsLogits[k].Data, atol: 1e-4, rtol: 1e-4, what: $"cls_{k}");
            Numeric.AssertClose(engine.PoseReg[k].Data, ort.PoseReg[k].Data, atol: 1e-4, rtol: 1e-4, what: $"reg_{k}");
        }
    }

    [Fact]
    public void Main_FixedBatchOpset18_RecordsBatchAndOpset()
    {
        var (_, config, weights) = Setup();
        var onnx = Path.Combine(_dir, "b2.onnx");
        Assert.Equal(0, Program.Main(["export", "-c", config, "-w", weights, "-o", onnx, "--batch", "2", "--opset", "18"]));
        using var runner = OnnxNetworkRunner.Open(onnx, intraOpThreads: 1);
        Assert.Equal(2, runner.FixedBatch);
        Assert.Equal(18, runner.Opset);
        var ex = Assert.Throws<ArgumentException>(() => runner.Run(Tensor.Zeros(1, 3, 64, 64)));
        Assert.Contains("batch 2", ex.Message);
    }

    [Fact]
    public void Main_BadArguments_ExitOneWithoutWriting()
    {
        var (_, config, weights) = Setup();
        var onnx = Path.Combine(_dir, "bad.onnx");
        Assert.Equal(1, Program.Main(["export", "-c", config, "-w", weights, "-o", onnx, "--batch", "2", "--dynamic-batch"]));
        Assert.Equal(1, Program.Main(["export", "-c", config, "-w", Path.Combine(_dir, "missing.safetensors"), "-o", onnx]));
        Assert.Equal(1, Program.Main(["export", "-c", config, "-w", weights, "-o", onnx, "--opset", "11"]));
        // weights of another backbone do not load into the configured network
        Assert.Equal(1, Program.Main(["export", "-c", config, "-b", "darknet_tiny", "-w", weights, "-o", onnx]));
        Assert.False(File.Exists(onnx));
    }

    /// <summary>
    /// A network stand-in whose answer encodes one fixed pose of class 0 for the crop geometry it is given:
    /// logit +4 at cells inside the keypoints' box (−6 elsewhere), the exact keypoint offsets everywhere.
    /// It remembers the crop it saw, so a second pipeline can be checked to feed it the same bits.
    /// </summary>
    private sealed class CannedNetwork(double[] kInternal, double[] keypoints3d, int s) : INetworkRunner
    {
        public double[]? Trans { get; set; }
        public float[]? SeenCrop { get; private set; }
        public string Runtime => "canned";
        public int InputRes => s;
        public int? FixedBatch => 1;
        public void Dispose() { }

        public PoseNetOutput Run(Tensor images)
        {
            if (SeenCrop is null) SeenCrop = (float[])images.Data.Clone();
            else Assert.Equal(SeenCrop, images.Data);
            double[] r = [0.96, -0.28, 0, 0.28, 0.96, 0, 0, 0, 1], t = [15, -10, 600];
            var px = new double[16];
            Camera.Project(r, t, kInternal, keypoints3d, px);
            PoseKD.Geometry.Cameras.Affine2D.Apply(Trans!, px, px);
            double x1 = px.Where((_, i) => i % 2 == 0).Min(), x2 = px.Where((_, i) => i % 2 == 0).Max();
            double y1 = px.Where((_, i) => i % 2 == 1).Min(), y2 = px.Where((_, i) => i % 2 == 1).Max();
            int[] strides = [8, 16, 32, 64], anchors = [32, 64, 128, 256];
            var cls = new Tensor[4]; var reg = new Tensor[4];
            var off = new float[16];
            for (int k = 0; k < 4; k++)
            {
                var g = new LevelGrid((s + strides[k] - 1) / strides[k], (s + strides[k] - 1) / strides[k], strides[k], anchors[k]);
                var c = new float[2 * g.Count]; var q = new float[32 * g.Count];
                for (int i = 0; i < g.Count; i++)
                {
                    float cx = g.CenterX(i), cy = g.CenterY(i);
                    c[i] = cx >= x1 && cx <= x2 && cy >= y1 && cy <= y2 ? 4f : -6f;
                    c[g.Count + i] = -6f;
                    TargetCoder.EncodePixels(px, cx, cy, g.AnchorSize, off);
                    for (int j = 0; j < 16; j++) q[j * g.Count + i] = off[j];
                }
                cls[k] = Tensor.FromArray(c, 1, 2, g.Height, g.Width);
                reg[k] = Tensor.FromArray(q, 1, 32, g.Height, g.Width);
            }
            return new PoseNetOutput([], cls, reg);
        }
    }

    [Fact]
    public void PoseEstimator_SameNetworkAsPredict_GivesThePosesOfPosekdPredict()
    {
        var (_, config, _) = Setup();
        var cfg = PoseKDConfig.Load(config);
        var head = ConfigMapping.ToHeadOptions(cfg);
        var keypoints = PoseKD.Data.Bop.BoxFile.Read(Path.Combine(_dir, "bbox.json"));
        var image = new Image8(320, 240, 3);
        new Random(11).NextBytes(image.Data);
        double[] k = [280, 0, 161, 0, 282, 119, 0, 0, 1], box = [100, 60, 220, 180];
        var canned = new CannedNetwork(head.InternalK.ToArray(), keypoints[0], 64);

        var predict = PredictCommand.Predict(image, k, box, cfg, head, keypoints, null, (crop, trans) => { canned.Trans = trans; return canned.Run(crop); });
        using var estimator = new PoseEstimator(canned, DeploymentConfig.Read(config).Metadata);
        var mine = estimator.Estimate(image, k, box);

        Assert.Single(predict.Poses);
        Assert.Equal(predict.Poses.Count, mine.Count);
        for (int i = 0; i < mine.Count; i++)
        {
            Assert.Equal(predict.Poses[i].ClassId, mine[i].ClassId);
            Assert.Equal(predict.Poses[i].R, mine[i].R);
            Assert.Equal(predict.Poses[i].T, mine[i].T);
            Assert.Equal(predict.Poses[i].Score, mine[i].Score);
            Assert.Equal(predict.Poses[i].InlierCount, mine[i].Inliers);
        }
    }

    [Fact]
    public void Predict_RuntimeOnnx_SameRawMapsAsTheEngine()
    {
        var (_, config, weights) = Setup();
        var onnx = Path.Combine(_dir, "m1.onnx");
        Assert.Equal(0, Program.Main(["export", "--config", config, "--weights", weights, "--onnx", onnx, "--batch", "1"]));
        var image = new Image8(160, 120, 3);
        new Random(3).NextBytes(image.Data);
        var png = Path.Combine(_dir, "img.png");
        File.WriteAllBytes(png, PoseKD.Data.Imaging.PngEncoder.Encode(image));
        string[] common = ["predict", "--config", config, "--image", png, "--K", "150,150,80,60", "--box", "40,30,120,90"];
        Assert.Equal(0, Program.Main([.. common, "--weights", weights, "--out", Path.Combine(_dir, "e.png"), "--dump-raw", Path.Combine(_dir, "e.safetensors")]));
        Assert.Equal(0, Program.Main([.. common, "--weights", onnx, "--runtime", "onnx", "--out", Path.Combine(_dir, "o.png"), "--dump-raw", Path.Combine(_dir, "o.safetensors")]));
        var e = SafeTensors.Read(Path.Combine(_dir, "e.safetensors"));
        var o = SafeTensors.Read(Path.Combine(_dir, "o.safetensors"));
        Assert.Equal(e.Keys.Order(), o.Keys.Order());
        Assert.Contains("cls0", e.Keys);
        foreach (var key in e.Keys.Where(k => k.StartsWith("cls", StringComparison.Ordinal) || k.StartsWith("reg", StringComparison.Ordinal) || k == "input"))
            Numeric.AssertClose(e[key].Data, o[key].Data, 1e-4, 1e-4, key);
    }

    [Fact]
    public void Predict_UnknownRuntime_ExitsWithUsageError() =>
        Assert.NotEqual(0, Program.Main(["predict", "--weights", "w", "--image", "i.png", "--out", "o.png", "--runtime", "tensorrt"]));

    [Fact]
    public void DeploymentConfig_SameYaml_AgreesWithTrainingsConfigMapping()
    {
        var (_, config, _) = Setup();
        var cfg = PoseKDConfig.Load(config);
        var head = ConfigMapping.ToHeadOptions(cfg);
        var net = ConfigMapping.ToPoseNetOptions(cfg);
        var mine = DeploymentConfig.Read(config);
        Assert.Equal(net.Backbone, mine.Network.Backbone);
        Assert.Equal(net.NClass, mine.Network.NClass);
        Assert.Equal(net.FeatChannels, mine.Network.FeatChannels);
        Assert.Equal(net.OutChannel, mine.Network.OutChannel);
        Assert.Equal(head.AnchorSizes, mine.Metadata.AnchorSizes);
        Assert.Equal(head.AnchorStrides, mine.Metadata.AnchorStrides);
        Assert.Equal(head.InternalK, mine.Metadata.InternalK);
        Assert.Equal(head.ConfidenceTh, mine.Metadata.ConfidenceTh);
        Assert.Equal(head.PositiveNum, mine.Metadata.PositiveNum);
        Assert.Equal(head.PositiveLambda, mine.Metadata.PositiveLambda);
        Assert.Equal(cfg.Input.InputRes, mine.Metadata.InputRes);
        Assert.Equal(cfg.Input.PixelMean, mine.Metadata.PixelMean);
        Assert.Equal(head.SymmetryTypes.Keys.Order(), mine.Metadata.SymmetryTypes.Keys.Order());
    }
}
