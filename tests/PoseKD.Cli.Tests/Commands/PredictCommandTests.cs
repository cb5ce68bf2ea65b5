using System.Text.Json.Nodes;
using PoseKD.Cli.Commands;
using PoseKD.Data.Imaging;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Cli.Tests.Commands;

/// <summary>A seeded darknet_tiny_h with N_CLASS 3, its weights, a box file and a 640×480 picture in a temp folder.</summary>
public sealed class PredictFiles : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("posekd_predict_").FullName;

    public string Config => Path.Combine(Dir, "cfg.yaml");

    public string Weights => Path.Combine(Dir, "w.safetensors");

    public string Boxes => Path.Combine(Dir, "bbox.json");

    public string Image => Path.Combine(Dir, "img.png");

    public PredictFiles()
    {
        File.WriteAllText(Config, "MODEL:\n  BACKBONE: 'darknet_tiny_h'\nDATASETS:\n  N_CLASS: 3\n");
        var net = new PoseNet(PoseNetOptions.ForBackbone("darknet_tiny_h") with { NClass = 3 }, new Generator(4));
        Checkpoint.SaveWeights(Weights, net);
        var boxes = new JsonArray();
        for (int c = 0; c < 2; c++)
        {
            var b = new JsonArray();
            for (int i = 0; i < 8; i++) b.Add(new JsonArray((i & 4) != 0 ? 40.0 : -40.0, (i & 2) != 0 ? 30.0 : -30.0, (i & 1) != 0 ? 20.0 : -20.0));
            boxes.Add(b);
        }
        File.WriteAllText(Boxes, boxes.ToJsonString());
        var img = new Image8(640, 480, 3);
        var rng = new Random(1);
        rng.NextBytes(img.Data);
        PngEncoder.Write(Image, img);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

public sealed class PredictCommandTests(PredictFiles files) : IClassFixture<PredictFiles>
{
    private PredictCommand.Request Request(string name) => new()
    {
        ConfigPath = files.Config, WeightsPath = files.Weights, ImagePath = files.Image, BboxFile = files.Boxes,
        OutPath = Path.Combine(files.Dir, name + ".png"), JsonPath = Path.Combine(files.Dir, name + ".json"), RawPath = Path.Combine(files.Dir, name + ".safetensors"),
    };

    [Fact]
    public void Main_UntrainedNetwork_WritesPictureJsonAndRawMaps()
    {
        var r = Request("run");
        int code = Program.Main(["predict", "--config", r.ConfigPath!, "--weights", r.WeightsPath, "--image", r.ImagePath, "--bbox-file", r.BboxFile!,
            "--K", "572.4114,573.57043,325.2611,242.04899", "--box", "200,150,420,330", "--out", r.OutPath, "--json", r.JsonPath!, "--dump-raw", r.RawPath!]);
        Assert.Equal(0, code);
        var pic = ImageFile.Read(r.OutPath);
        Assert.Equal((640, 480), (pic.Width, pic.Height));
        var json = JsonNode.Parse(File.ReadAllText(r.JsonPath!))!;
        // the focal prior keeps an untrained head below CONFIDENCE_TH everywhere: no candidates, no poses
        Assert.Empty(json["predictions"]!.AsArray());
        Assert.Equal(4, json["box"]!.AsArray().Count);
        var raw = SafeTensors.Read(r.RawPath!);
        Assert.Equal([1, 3, 256, 256], raw["input"].Shape);
        Assert.Equal([1, 2, 32, 32], raw["cls0"].Shape);
        Assert.Equal([1, 32, 4, 4], raw["reg3"].Shape);
        Assert.All(raw["cls0"].Data, v => Assert.True(v < -2));
    }

    [Fact]
    public void Run_BoxOutsideImage_ClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => PredictCommand.Run(Request("outside") with { Box = [600, 100, 700, 200] }));
        Assert.Contains("--box 600,100,700,200", ex.Message);
        Assert.Contains("640×480", ex.Message);
    }

    [Fact]
    public void Run_NotAnImage_ErrorNamesFile()
    {
        var path = Path.Combine(files.Dir, "text.png");
        File.WriteAllText(path, "this is not a picture");
        var ex = Assert.ThrowsAny<Exception>(() => PredictCommand.Run(Request("text") with { ImagePath = path }));
        Assert.Contains("text.png", ex.Message);
    }

    [Fact]
    public void Main_BadKAndBothBoxSources_ExitCodeOne()
    {
        var r = Request("bad");
        Assert.Equal(1, Program.Main(["predict", "--weights", r.WeightsPath, "--image", r.ImagePath, "--out", r.OutPath, "--K", "1,2,3"]));
        var ex = Assert.Throws<ArgumentException>(() => PredictCommand.Run(r with { Box = [0, 0, 10, 10], DetectionsPath = "d.json" }));
        Assert.Contains("either --box or --detections", ex.Message);
    }

    [Fact]
    public void Run_WeightsOfOtherClassCount_ClearError()
    {
        var cfg = Path.Combine(files.Dir, "cfg16.yaml");
        File.WriteAllText(cfg, "MODEL:\n  BACKBONE: 'darknet_tiny_h'\nDATASETS:\n  N_CLASS: 2\n");
        var ex = Assert.ThrowsAny<Exception>(() => PredictCommand.Run(Request("ncls") with { ConfigPath = cfg }));
        Assert.Contains("w.safetensors", ex.Message);
    }
}
