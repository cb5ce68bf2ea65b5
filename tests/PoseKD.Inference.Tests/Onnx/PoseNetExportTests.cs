using PoseKD.Engine.Autograd;
using PoseKD.Inference.Onnx;
using PoseKD.Inference.Onnx.Proto;
using PoseKD.Inference.Runtime;

namespace PoseKD.Inference.Tests.Onnx;

/// <summary>
/// Exported networks: ONNX Runtime reproduces the reference network (PyTorch fixture, same weights) to 1e-4
/// relative and the engine to within 1e-4 plus the engine's own distance to the reference.
/// </summary>
public class PoseNetExportTests
{
    internal static void AssertOrtMatchesEngineAndReference(string backbone, OnnxExportOptions options)
    {
        var r = ReferenceNetworks.Load(backbone);
        var model = OnnxExporter.ExportPoseNet(r.Net, r.Metadata(), options);
        using var runner = OnnxNetworkRunner.FromBytes(model, backbone + ".onnx", intraOpThreads: 1);
        var ort = runner.Run(r.Input);
        PoseKD.Model.Network.PoseNetOutput engine;
        using (GradMode.NoGrad()) engine = r.Net.Forward(r.Input);
        Assert.Equal(r.Levels, ort.ClsLogits.Count);
        for (int k = 0; k < r.Levels; k++)
        {
            foreach (var (name, o, e) in new[] { ($"cls_{k}", ort.ClsLogits[k], engine.ClsLogits[k]), ($"reg_{k}", ort.PoseReg[k], engine.PoseReg[k]) })
            {
                Assert.Equal(e.Shape, o.Shape);
                var (reference, stride, shape) = r.Reference(name);
                Assert.Equal(shape, o.Shape);
                double ortRef = ReferenceNetworks.RelativeError(reference, ReferenceNetworks.Strided(o.Data, stride));
                double engineRef = ReferenceNetworks.RelativeError(reference, ReferenceNetworks.Strided(e.Data, stride));
                double ortEngine = ReferenceNetworks.RelativeError(e.Data, o.Data);
                // ONNX Runtime must reproduce the reference network to 1e-4 (max |diff| / max |value|); it may differ
                // from the engine by no more than that plus the engine's own distance to the reference.
                if (ortRef > 1e-4) throw new Xunit.Sdk.XunitException($"{backbone} {name}: ORT vs PyTorch reference {ortRef:E2} > 1e-4");
                if (ortEngine > 1e-4 + engineRef) throw new Xunit.Sdk.XunitException($"{backbone} {name}: ORT vs engine {ortEngine:E2} > 1e-4 + engine vs reference {engineRef:E2}");
            }
        }
    }

    [Fact]
    public void ExportPoseNet_DarknetTinyH_OrtMatchesEngineAndReference() =>
        AssertOrtMatchesEngineAndReference("darknet_tiny_h", new OnnxExportOptions());

    [Fact]
    public void ExportPoseNet_DarknetTiny_OrtMatchesEngineAndReference() =>
        AssertOrtMatchesEngineAndReference("darknet_tiny", new OnnxExportOptions());

    [Fact]
    public void ExportPoseNet_TinyHOpset18DynamicBatch_OrtMatchesEngineAndReference() =>
        AssertOrtMatchesEngineAndReference("darknet_tiny_h", new OnnxExportOptions { Opset = 18, DynamicBatch = true });

    [Fact]
    public void ExportPoseNet_TinyH_WritesNamedOutputsMetadataAndFoldedConvs()
    {
        var r = ReferenceNetworks.Load("darknet_tiny_h");
        var proto = ModelProto.Parser.ParseFrom(OnnxExporter.ExportPoseNet(r.Net, r.Metadata(), new OnnxExportOptions { BatchSize = 2 }));
        Assert.Equal(["cls_0", "reg_0", "cls_1", "reg_1", "cls_2", "reg_2", "cls_3", "reg_3"], proto.Graph.Output.Select(o => o.Name));
        Assert.Equal(2, proto.Graph.Input.Single().Type.TensorType.Shape.Dim[0].DimValue);
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "BatchNormalization");
        // The head is shared across the 4 levels: its 10 convs' weights are written once.
        Assert.Single(proto.Graph.Initializer, i => i.Name == "head.cls_logits.weight");
        Assert.Equal(4, proto.Graph.Node.Count(n => n.Input.Contains("head.cls_logits.weight")));
        var meta = PoseModelMetadata.FromProperties(proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value), "test");
        Assert.Equal([8, 16, 32, 64], meta.LevelStrides);
        Assert.Equal(ReferenceNetworks.NClass, meta.NClass);
        Assert.Equal(64, meta.InputRes);
    }

    [Fact]
    public void ExportPoseNet_MetadataForAnotherNetwork_Throws()
    {
        var r = ReferenceNetworks.Load("darknet_tiny_h");
        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.ExportPoseNet(r.Net, r.Metadata() with { NClass = 16 }));
        Assert.Contains("N_CLASS", ex.Message);
        Assert.Throws<ArgumentException>(() => OnnxExporter.ExportPoseNet(r.Net, r.Metadata() with { InputRes = 60 }));
    }
}

/// <summary>The teacher backbone, in its own class (its export is ~190 MB).</summary>
public class PoseNetExportDarknet53Tests
{
    [Fact]
    public void ExportPoseNet_Darknet53_OrtMatchesEngineAndReference() =>
        PoseNetExportTests.AssertOrtMatchesEngineAndReference("darknet53", new OnnxExportOptions());
}
