using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;
using PoseKD.Inference.Onnx;
using PoseKD.Inference.Onnx.Proto;
using PoseKD.TestSupport;

namespace PoseKD.Inference.Tests.Onnx;

public class OnnxExporterTests
{
    private static Sequential DarknetLikeStack() => new Sequential()
        .Add("conv1", new Conv2d(3, 8, 3, padding: 1, bias: false)).Add("bn1", new BatchNorm2d(8)).Add("act1", new LeakyReLU(0.1f))
        .Add("pool1", new MaxPool2d(2, 2))
        .Add("conv2", new Conv2d(8, 16, 1, bias: false)).Add("bn2", new BatchNorm2d(16)).Add("act2", new LeakyReLU(0.1f))
        .Add("conv3", new Conv2d(16, 8, 3, stride: 2, padding: 1, bias: false)).Add("bn3", new BatchNorm2d(8)).Add("act3", new LeakyReLU(0.1f));

    private static Sequential GroupNormTower() => new Sequential()
        .Add("0", new Conv2d(8, 16, 3, padding: 1)).Add("1", new GroupNorm(4, 16)).Add("2", new ReLU())
        .Add("3", new Conv2d(16, 16, 3, padding: 1)).Add("4", new GroupNorm(4, 16)).Add("5", new ReLU())
        .Add("6", new Scale(0.7f));

    private static void AssertParity(Layer layer, int[] inputShape, OnnxExportOptions options, ulong seed)
    {
        OrtTestRunner.Randomize(layer, seed);
        var x = OrtTestRunner.RandomInput(seed + 1, inputShape);
        var expected = OrtTestRunner.EngineForward(layer, x);
        var model = OnnxExporter.ExportLayer(layer, inputShape[1], inputShape[2], inputShape[3], options);
        var (data, shape) = OrtTestRunner.Run(model, "input", x)["output"];
        Assert.Equal(expected.Shape, shape);
        Numeric.AssertClose(expected.Data, data, atol: 1e-5, rtol: 1e-4, what: "ORT vs engine");
    }

    [Fact]
    public void ExportLayer_ConvBnLeakyMaxPoolStack_OrtMatchesEngine() =>
        AssertParity(DarknetLikeStack(), [2, 3, 20, 24], new OnnxExportOptions { BatchSize = 2 }, 11);

    [Fact]
    public void ExportLayer_GroupNormTowerOpset17_OrtMatchesEngine() =>
        AssertParity(GroupNormTower(), [1, 8, 9, 7], new OnnxExportOptions(), 21);

    [Fact]
    public void ExportLayer_GroupNormTowerOpset18_OrtMatchesEngine() =>
        AssertParity(GroupNormTower(), [1, 8, 9, 7], new OnnxExportOptions { Opset = 18 }, 31);

    [Fact]
    public void ExportLayer_DynamicBatch_RunsAnotherBatchSize()
    {
        var stack = DarknetLikeStack();
        OrtTestRunner.Randomize(stack, 41);
        var model = OnnxExporter.ExportLayer(stack, 3, 16, 16, new OnnxExportOptions { DynamicBatch = true });
        var input = ModelProto.Parser.ParseFrom(model).Graph.Input[0];
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        var x = OrtTestRunner.RandomInput(42, 3, 3, 16, 16);
        var (data, shape) = OrtTestRunner.Run(model, "input", x)["output"];
        var expected = OrtTestRunner.EngineForward(stack, x);
        Assert.Equal(expected.Shape, shape);
        Numeric.AssertClose(expected.Data, data, atol: 1e-5, rtol: 1e-4);
    }

    [Fact]
    public void ExportLayer_ConvFollowedByBatchNorm_FoldsIntoOneConv()
    {
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ExportLayer(DarknetLikeStack(), 3, 16, 16));
        var ops = model.Graph.Node.Select(n => n.OpType).ToArray();
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.Equal(3, ops.Count(o => o == "Conv"));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, model.OpsetImport.Single().Version);
    }

    [Fact]
    public void ExportLayer_StandaloneBatchNorm_OrtMatchesEngine() =>
        AssertParity(new Sequential(new BatchNorm2d(3), new ReLU()), [1, 3, 5, 5], new OnnxExportOptions(), 51);

    private sealed class Doubler : Layer
    {
        public override Tensor Forward(Tensor input) => input * 2f;
    }

    [Fact]
    public void ExportLayer_UnknownModule_ThrowsNamingTheType()
    {
        var ex = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportLayer(new Sequential(new ReLU(), new Doubler()), 3, 4, 4));
        Assert.Contains("Doubler", ex.Message);
        Assert.Contains("'1'", ex.Message);
    }

    [Fact]
    public void ExportLayer_OpsetOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.ExportLayer(new ReLU(), 3, 4, 4, new OnnxExportOptions { Opset = 12 }));
}
