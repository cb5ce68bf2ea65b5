using System.Text.Json;
using PoseKD.Inference.Onnx;
using PoseKD.Inference.Onnx.Proto;
using PoseKD.TestSupport;

namespace PoseKD.Inference.Tests.Onnx;

/// <summary>
/// Fixtures/onnx/onnx_check.json is onnx.checker's verdict (ONNX 1.12, full check with shape inference) on the
/// models `posekd export` wrote for the reference-filled networks at 256 px (tools/golden/onnx_check.py).
/// A fresh export must have the structure that was checked: same opset, IR, node types and counts, outputs and
/// inferred output shapes.
/// </summary>
public class OnnxCheckFixtureTests
{
    private static JsonElement Report(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Numeric.Fixture("onnx/onnx_check.json")));
        return doc.RootElement.GetProperty("models").GetProperty(model).Clone();
    }

    [Theory]
    [InlineData("darknet_tiny_h")]
    [InlineData("darknet_tiny")]
    [InlineData("darknet53")]
    public void CheckerReport_EveryBackbone_PassedTheOnnxChecker(string backbone)
    {
        var report = Report(backbone + ".onnx");
        Assert.Equal("ok", report.GetProperty("checker").GetString());
        Assert.Equal(OnnxExportOptions.DefaultOpset, report.GetProperty("opset").GetInt32());
        Assert.Equal(8, report.GetProperty("ir_version").GetInt32());
    }

    [Theory]
    [InlineData("darknet_tiny_h")]
    [InlineData("darknet_tiny")]
    public void ExportPoseNet_Today_HasTheCheckedStructure(string backbone)
    {
        var report = Report(backbone + ".onnx");
        var r = ReferenceNetworks.Load(backbone);
        var proto = ModelProto.Parser.ParseFrom(OnnxExporter.ExportPoseNet(r.Net, r.Metadata() with { InputRes = 256 }));
        var counts = proto.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        var checkedCounts = report.GetProperty("node_counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(checkedCounts.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        var outputs = report.GetProperty("outputs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray());
        Assert.Equal(outputs.Keys.Order(), proto.Graph.Output.Select(o => o.Name).Order());
        foreach (var o in proto.Graph.Output)
            Assert.Equal(outputs[o.Name], o.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray());
        Assert.Equal(report.GetProperty("metadata_keys").EnumerateArray().Select(k => k.GetString()), proto.MetadataProps.Select(p => p.Key).Order());
    }
}
