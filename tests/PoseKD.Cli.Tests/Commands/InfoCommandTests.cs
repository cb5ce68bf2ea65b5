using PoseKD.Cli.Commands;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Cli.Tests.Commands;

public sealed class InfoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("posekd-info-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Run(InfoCommand.Request request)
    {
        var sw = new StringWriter();
        InfoCommand.Run(request, sw);
        return sw.ToString();
    }

    [Theory]
    [InlineData("darknet_tiny_h", "2,304,468", "4.739 G", 4)]
    [InlineData("darknet53", "52,101,836", "34.944 G", 5)]
    public void Run_Backbone_PrintsParametersFlopsAndLevels(string backbone, string parameters, string flops, int levels)
    {
        var text = Run(new InfoCommand.Request(backbone, null, null, null, null, null));
        Assert.Contains($"parameters  {parameters}", text);
        Assert.Contains($"FLOPs       {flops} per 256×256 image", text);
        Assert.Contains($"levels      {levels}", text);
        Assert.Contains("      0       8      32  32×32", text);
        if (levels == 5) Assert.Contains("      4     128     512  2×2", text);
    }

    [Fact]
    public void Run_ConfigWithOtherNClassAndSize_UsesThem()
    {
        var yaml = Path.Combine(_dir, "c.yaml");
        File.WriteAllText(yaml, "MODEL:\n  BACKBONE: 'darknet_tiny'\nDATASETS:\n  N_CLASS: 3\nINPUT:\n  INPUT_RES: 128\n");
        var text = Run(new InfoCommand.Request("darknet_tiny_h", yaml, null, null, null, null));
        Assert.Contains("network     darknet_tiny_h: N_CLASS 3, OUT_CHANNEL 128, FEAT_CHANNELS [0, 0, 64, 64]", text);
        Assert.Contains("per 128×128 image", text);
        var (options, size) = InfoCommand.ResolveOptions(new InfoCommand.Request(null, yaml, 5, 64, null, null));
        Assert.Equal(("darknet_tiny", 5, 256, 64), (options.Backbone, options.NClass, options.OutChannel, size));
    }

    [Fact]
    public void Run_WithWeights_PrintsLoadReport()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var sd = PoseNet.Create("darknet_tiny_h", new Generator(2)).StateDict();
        sd.Remove("head.scales.4.scale");
        SafeTensors.WriteArrays(path, sd);
        var text = Run(new InfoCommand.Request("darknet_tiny_h", null, null, null, path, null));
        Assert.Contains("matched 149, missing 1, unexpected 0, known-ignored 0 — a strict load would fail", text);
        Assert.Contains("    head.scales.4.scale", text);
    }

    [Fact]
    public void Run_WithImageNetBackboneWeights_ReportsBackboneKeysOnly()
    {
        var path = Path.Combine(_dir, "imagenet.safetensors");
        var sd = PoseNet.Create("darknet_tiny", new Generator(2)).StateDict()
            .Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["backbone.".Length..], kv => kv.Value);
        SafeTensors.WriteArrays(path, sd);
        var text = Run(new InfoCommand.Request("darknet_tiny", null, null, null, null, path));
        Assert.Contains($"matched {sd.Count}, missing 0, unexpected 0, known-ignored 0 — loads strictly", text);
    }

    [Fact]
    public void Main_WeightsOfOtherBackbone_ExitCode1()
    {
        var path = Path.Combine(_dir, "tiny.safetensors");
        Checkpoint.SaveWeights(path, PoseNet.Create("darknet_tiny_h", new Generator(2)));
        Assert.Equal(1, Program.Main(["info", "--backbone", "darknet_tiny", "--weights", path]));
    }

    [Fact]
    public void Main_UnknownBackbone_ExitCode1()
    {
        Assert.Equal(1, Program.Main(["info", "--backbone", "resnet18"]));
        Assert.Equal(1, Program.Main(["info"]));
    }

    [Fact]
    public void Main_Help_Succeeds()
    {
        Assert.Equal(0, Program.Main(["info", "--help"]));
    }
}
