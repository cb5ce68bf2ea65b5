using Google.Protobuf;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Inference.Onnx;
using PoseKD.TestSupport;

namespace PoseKD.Inference.Tests.Onnx;

public class OnnxModuleEmitterTests
{
    [Fact]
    public void UpsampleNearestAndAdd_TopDownMerge_OrtMatchesEngine()
    {
        // An FPN-style merge: lateral(x) + upsample×2(conv_stride2(x)).
        var lateral = new Conv2d(4, 6, 1);
        var down = new Conv2d(4, 6, 3, stride: 2, padding: 1);
        OrtTestRunner.Randomize(lateral, 61);
        OrtTestRunner.Randomize(down, 62);
        var x = OrtTestRunner.RandomInput(63, 1, 4, 8, 12);
        var expected = OrtTestRunner.EngineForward(lateral, x) + F.UpsampleNearest(OrtTestRunner.EngineForward(down, x), 2);

        var g = new OnnxGraphBuilder("merge");
        var e = new OnnxModuleEmitter(g, 17);
        var input = g.AddInput("x", 1, 4, 8, 12);
        var sum = e.Add(e.Emit(lateral, input, "lateral"), e.UpsampleNearest(e.Emit(down, input, "down"), 2, "up"), "merge");
        g.AddOutput(sum, "y", 1, 6, 8, 12);
        var (data, shape) = OrtTestRunner.Run(g.Build(17, "test").ToByteArray(), "x", x)["y"];
        Assert.Equal(expected.Shape, shape);
        Numeric.AssertClose(expected.Data, data, atol: 1e-5, rtol: 1e-4);
    }

    [Fact]
    public void Register_CustomModule_IsUsedForThatType()
    {
        var g = new OnnxGraphBuilder("custom");
        var e = new OnnxModuleEmitter(g, 17);
        e.Register<ReLU>((em, _, x, scope) => em.Graph.Node("Sigmoid", [x], scope + ".sigmoid"));
        var y = e.Emit(new Sequential(new ReLU()), g.AddInput("x", 1, 1, 2, 2), "");
        Assert.Equal("0.sigmoid", y);
    }

    [Fact]
    public void Builder_MetadataAndUniqueNames_AreWritten()
    {
        var g = new OnnxGraphBuilder("meta");
        Assert.Equal("w", g.AddInitializer("w", [1f], 1));
        Assert.Equal("w_1", g.AddInitializer("w", [2f], 1));
        g.SetMetadata("strides", "8,16");
        var model = g.Build(17, "test");
        Assert.Equal("strides", model.MetadataProps.Single().Key);
        Assert.Equal("8,16", model.MetadataProps.Single().Value);
        Assert.Throws<ArgumentException>(() => g.AddInitializer("bad", [1f, 2f], 3));
        Assert.Throws<ArgumentException>(() => g.Node("Relu", ["missing"]));
    }
}
