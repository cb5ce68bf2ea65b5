using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Model.Tests.Network;

public sealed class PoseNetWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("posekd-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Lazy<Dictionary<string, NamedArray>> Reference = new(() => PthReader.ReadStateDict(NetworkFixtures.TinyHWeights));

    /// <summary>A fresh dictionary over the (read once, never modified) reference arrays.</summary>
    private static Dictionary<string, NamedArray> ReferenceTinyH() => new(Reference.Value, StringComparer.Ordinal);

    private string Write(string name, IEnumerable<KeyValuePair<string, NamedArray>> arrays, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var path = Path.Combine(_dir, name);
        SafeTensors.WriteArrays(path, arrays, metadata);
        return path;
    }

    private static PoseNet TinyH(int seed = 1) => PoseNet.Create("darknet_tiny_h", new Generator((ulong)seed));

    [Fact]
    public void Load_ReferencePthIntoOtherBackbone_ThrowsNamingBothBackbones()
    {
        var net = PoseNet.Create("darknet_tiny", new Generator(1));
        var ex = Assert.Throws<PoseNetWeightsException>(() => PoseNetWeights.Load(net, NetworkFixtures.TinyHWeights));
        Assert.Contains("tiny_h_weights.pth", ex.Message);
        Assert.Contains("darknet_tiny_h", ex.Message);
        Assert.Contains("network is darknet_tiny", ex.Message);
    }

    [Fact]
    public void Load_ReferencePthWithOtherNClass_ThrowsNamingNClass()
    {
        var net = new PoseNet(PoseNetOptions.ForBackbone("darknet_tiny_h") with { NClass = 14 }, new Generator(1));
        var ex = Assert.Throws<PoseNetWeightsException>(() => PoseNetWeights.Load(net, NetworkFixtures.TinyHWeights));
        Assert.Contains("N_CLASS = 16", ex.Message);
        Assert.Contains("N_CLASS = 14", ex.Message);
    }

    [Fact]
    public void Load_TensorOfOtherShape_ThrowsNamingKeyAndBothShapes()
    {
        var sd = ReferenceTinyH();
        sd["fpn.out_convs.3.weight"] = NamedArray.FromFloats(new float[128 * 128], 128, 128, 1, 1);
        var path = Write("bad_shape.safetensors", sd);
        var net = TinyH();
        var before = net.StateDict();
        var ex = Assert.Throws<PoseNetWeightsException>(() => PoseNetWeights.Load(net, path));
        Assert.Contains("'fpn.out_convs.3.weight'", ex.Message);
        Assert.Contains("[128, 128, 1, 1]", ex.Message);
        Assert.Contains("[128, 128, 3, 3]", ex.Message);
        Assert.Equal(before["backbone.features.stage1.unit1.conv.weight"].Data, net.StateDict()["backbone.features.stage1.unit1.conv.weight"].Data);
    }

    [Fact]
    public void Load_TruncatedPth_ThrowsFormatErrorNamingFile()
    {
        var bytes = File.ReadAllBytes(NetworkFixtures.TinyHWeights);
        var path = Path.Combine(_dir, "truncated.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.ThrowsAny<FormatException>(() => PoseNetWeights.Load(TinyH(), path));
        Assert.Contains("truncated.pth", ex.Message);
    }

    [Fact]
    public void Load_MissingKey_StrictThrowsLooseReports()
    {
        var sd = ReferenceTinyH();
        sd.Remove("head.scales.4.scale");
        sd["extra.tensor"] = NamedArray.FromFloats([1f], 1);
        var path = Write("partial.safetensors", sd);
        var ex = Assert.Throws<PoseNetWeightsException>(() => PoseNetWeights.Load(TinyH(), path));
        Assert.Contains("head.scales.4.scale", ex.Message);
        Assert.Contains("extra.tensor", ex.Message);
        var report = PoseNetWeights.Load(TinyH(), path, strict: false);
        Assert.Equal(["head.scales.4.scale"], report.Missing);
        Assert.Equal(["extra.tensor"], report.Unexpected);
        Assert.False(report.IsComplete);
    }

    [Fact]
    public void Load_SafetensorsAndTrainingCheckpoint_RoundTrip()
    {
        var src = TinyH(3);
        var weights = Path.Combine(_dir, "w.safetensors");
        Checkpoint.SaveWeights(weights, src);
        var ckpt = Path.Combine(_dir, "ckpt.safetensors");
        Checkpoint.Save(ckpt, src);
        foreach (var path in new[] { weights, ckpt })
        {
            var dst = TinyH(4);
            var report = PoseNetWeights.Load(dst, path);
            Assert.True(report.IsComplete);
            var a = src.StateDict();
            var b = dst.StateDict();
            foreach (var key in a.Keys) Assert.Equal(a[key].Data, b[key].Data);
        }
    }

    [Fact]
    public void Load_DdpPrefixAndOldFileWithoutCounters_LoadsAndReportsKnownIgnored()
    {
        var sd = ReferenceTinyH();
        var counters = sd.Keys.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var path = Write("ddp.safetensors", sd.Where(kv => !counters.Contains(kv.Key)).Select(kv => KeyValuePair.Create("module." + kv.Key, kv.Value)));
        var report = PoseNetWeights.Load(TinyH(), path);
        Assert.True(report.IsComplete);
        Assert.Equal(counters, report.KnownIgnored.Select(k => k.Key));
        Assert.Equal(sd.Count - counters.Count, report.Matched.Count);
    }

    [Fact]
    public void Load_AnchorsOfOtherConfig_ThrowsNamingAnchorSettings()
    {
        var sd = ReferenceTinyH();
        sd["anchor_generator.cell_anchors.0"] = NamedArray.FromFloats([-27.5f, -27.5f, 35.5f, 35.5f], 1, 4);
        var ex = Assert.Throws<PoseNetWeightsException>(() => PoseNetWeights.Load(TinyH(), Write("anchors.safetensors", sd)));
        Assert.Contains("ANCHOR_SIZES", ex.Message);
    }

    [Fact]
    public void LoadBackbone_ImageNetLayout_FillsBackboneOnly()
    {
        var sd = ReferenceTinyH();
        var imagenet = sd.Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["backbone.".Length..], kv => kv.Value);
        var reference = NetworkFixtures.Keys("darknet_tiny_h").GetProperty("imagenet_keys").EnumerateArray().Select(e => e.GetString()!);
        Assert.Equal(reference.Order(StringComparer.Ordinal), imagenet.Keys.Order(StringComparer.Ordinal));
        var net = TinyH(9);
        var fpnBefore = net.StateDict()["fpn.inner_convs.2.weight"].Data;
        var report = PoseNetWeights.LoadBackbone(net, Write("imagenet.safetensors", imagenet));
        Assert.True(report.IsComplete);
        Assert.Equal(imagenet.Count, report.Matched.Count);
        Assert.All(report.Matched, k => Assert.StartsWith("backbone.", k));
        var after = net.StateDict();
        Assert.Equal(sd["backbone.features.stage3.unit2.conv.weight"].Data, after["backbone.features.stage3.unit2.conv.weight"].Data);
        Assert.Equal(sd["backbone.output.final_conv.bias"].Data, after["backbone.output.final_conv.bias"].Data);
        Assert.Equal(fpnBefore, after["fpn.inner_convs.2.weight"].Data);
    }

    [Fact]
    public void LoadBackbone_OtherBackboneFile_Throws()
    {
        var sd = ReferenceTinyH();
        var imagenet = sd.Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["backbone.".Length..], kv => kv.Value);
        var ex = Assert.Throws<PoseNetWeightsException>(() => PoseNetWeights.LoadBackbone(PoseNet.Create("darknet_tiny", new Generator(1)), Write("imagenet_h.safetensors", imagenet)));
        Assert.Contains("darknet_tiny_h", ex.Message);
    }

    [Fact]
    public void LoadBackbone_WholeNetworkFile_LoadsBackboneReportsRestKnownIgnored()
    {
        var report = PoseNetWeights.LoadBackbone(TinyH(2), NetworkFixtures.TinyHWeights);
        Assert.True(report.IsComplete);
        Assert.All(report.Matched, k => Assert.StartsWith("backbone.", k));
        Assert.Contains(report.KnownIgnored, k => k.Key == "head.cls_logits.weight");
    }
}
