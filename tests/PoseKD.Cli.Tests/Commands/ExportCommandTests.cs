using PoseKD.Engine.Autograd;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Inference.Runtime;
using PoseKD.Model.Network;
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
}
