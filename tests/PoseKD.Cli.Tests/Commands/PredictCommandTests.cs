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

/// <summary>
/// The prediction pipeline of <c>posekd predict</c> on generated scenes (a camera other than the internal one), with
/// an oracle in place of the network: it writes the maps a perfect head would give for the ground-truth pose.
/// Set POSEKD_DOC_IMAGES to a folder to also write the documentation picture (oracle with noise and outliers).
/// </summary>
public sealed class PredictPipelineTests
{
    private static readonly double[] KOrig = [600, 0, 330, 0, 605, 235, 0, 0, 1];

    private static (PoseKD.Data.Bop.BopDataset Data, string Root) Generate()
    {
        var root = Path.Combine(Path.GetTempPath(), $"posekd-predict-{Environment.ProcessId}-{Guid.NewGuid():N}");
        PoseKD.Data.Synthesis.SyntheticDatasetGenerator.Generate(new PoseKD.Data.Synthesis.SynthOptions
        {
            OutputDir = root, Objects = ["lblock", "tbar"], ImagesPerObject = 2, K = (double[])KOrig.Clone(), MinDistanceMm = 500, MaxDistanceMm = 650,
            TrainFraction = 0.5, Seed = 12, Threads = 1, WriteDepth = false,
        });
        return (PoseKD.Data.Bop.BopDataset.FromListFile(Path.Combine(root, "000002_test.txt"), Path.Combine(root, "models"), Path.Combine(root, "linemod_bbox.json")), root);
    }

    /// <summary>Maps a perfect head would produce for (R, t) in the internal camera: every cell inside the object's central crop box votes.</summary>
    private static PoseNetOutput Oracle(int classes, int cls, double[] kInt, double[] rInt, double[] tInt, double[] kp, double[] trans, double noise, int seed)
    {
        var px = new double[16];
        PoseKD.Geometry.Cameras.Camera.Project(rInt, tInt, kInt, kp, px);
        PoseKD.Geometry.Cameras.Affine2D.Apply(trans, px, px);
        double x1 = px.Where((_, i) => i % 2 == 0).Min(), x2 = px.Where((_, i) => i % 2 == 0).Max();
        double y1 = px.Where((_, i) => i % 2 == 1).Min(), y2 = px.Where((_, i) => i % 2 == 1).Max();
        double mx = 0.2 * (x2 - x1), my = 0.2 * (y2 - y1);
        var rng = new Random(seed);
        var clsMaps = new List<Tensor>();
        var regMaps = new List<Tensor>();
        var off = new float[16];
        for (int k = 0; k < 4; k++)
        {
            int n = 32 >> k, stride = 8 << k;
            var grid = new PoseKD.Model.Targets.LevelGrid(n, n, stride, 32 << k);
            var c = Tensor.Full(-6f, 1, classes, n, n);
            var g = Tensor.Zeros(1, 16 * classes, n, n);
            for (int i = 0; i < n * n; i++)
            {
                float ax = grid.CenterX(i), ay = grid.CenterY(i);
                if (ax < x1 + mx || ax > x2 - mx || ay < y1 + my || ay > y2 - my) continue;
                c.Data[cls * n * n + i] = (float)(1.5 + rng.NextDouble());
                PoseKD.Model.Targets.TargetCoder.Encode(kInt, kp, rInt, tInt, trans, ax, ay, grid.AnchorSize, off);
                bool outlier = noise > 0 && rng.NextDouble() < 0.15;
                for (int j = 0; j < 16; j++)
                    g.Data[(16 * cls + j) * n * n + i] = off[j] + (float)((outlier ? 0.3 : noise) * (rng.NextDouble() * 2 - 1));
            }
            clsMaps.Add(c); regMaps.Add(g);
        }
        return new PoseNetOutput([], clsMaps, regMaps);
    }

    [Fact]
    public void Predict_OracleHeadOnGeneratedScene_RecoversGroundTruthInImageCamera()
    {
        var (data, root) = Generate();
        try
        {
            var cfg = new PoseKD.Training.Config.PoseKDConfig().WithBackbone("darknet_tiny_h") with { Datasets = new() { NClass = 3, MeshDiametersMm = [100, 100], SymmetryTypes = [] } };
            var head = PoseKD.Training.Config.ConfigMapping.ToHeadOptions(cfg);
            var kInt = head.InternalK.ToArray();
            var resize = PoseKD.Geometry.Cameras.Affine2D.FromMatrix3x3(PoseKD.Geometry.Rotations.RotationMath.Multiply(kInt, PoseKD.Geometry.Cameras.Camera.InvertK(KOrig)));
            var docs = Environment.GetEnvironmentVariable("POSEKD_DOC_IMAGES");
            for (int i = 0; i < data.Count; i++)
            {
                var ann = data.LoadAnnotation(i);
                var img = data.LoadImage(i, ann).ToRgb();
                var gt = ann.Instances[0];
                var kp = data.Keypoints![gt.ClassId];
                var (rInt, tInt, _) = PoseKD.Data.Transforms.PoseRemap.Remap(KOrig, gt.R, gt.T, kp, kInt, resize);
                var box = BoxOf(gt.R, gt.T, kp, img.Width, img.Height);
                foreach (double noise in docs != null && i == 0 ? new[] { 0.0, 0.02 } : [0.0])
                {
                    var run = PredictCommand.Predict(img, KOrig, box, cfg, head, data.Keypoints!, null,
                        (_, trans) => Oracle(2, gt.ClassId, kInt, rInt, tInt, kp, trans, noise, i));
                    var p = Assert.Single(run.Poses);
                    Assert.Equal(gt.ClassId, p.ClassId);
                    if (noise == 0)
                    {
                        double angle = PoseKD.Geometry.Rotations.RotationMath.AngleDeg(gt.R, p.R) * Math.PI / 180;
                        double dt = Math.Sqrt(Enumerable.Range(0, 3).Sum(a => Math.Pow(gt.T[a] - p.T[a], 2)));
                        Assert.True(angle < 1e-3 && dt < 1, $"image {i}: rotation error {angle:E2} rad, translation error {dt:F3} mm");
                    }
                    else File.WriteAllBytes(Path.Combine(docs!, "predict_synthetic.png"), run.Picture);
                }
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static double[] BoxOf(double[] r, double[] t, double[] kp, int w, int h)
    {
        var px = new double[16];
        PoseKD.Geometry.Cameras.Camera.Project(r, t, KOrig, kp, px);
        double x1 = Math.Max(0, px.Where((_, i) => i % 2 == 0).Min()), x2 = Math.Min(w, px.Where((_, i) => i % 2 == 0).Max());
        double y1 = Math.Max(0, px.Where((_, i) => i % 2 == 1).Min()), y2 = Math.Min(h, px.Where((_, i) => i % 2 == 1).Max());
        return [x1, y1, x2, y2];
    }
}

/// <summary>--detections: the box of the image's BOP ids, and the config-relative box file.</summary>
public sealed class PredictDetectionsTests(PredictFiles files) : IClassFixture<PredictFiles>
{
    [Fact]
    public void Run_DetectionsAndConfigRelativeBoxFile_UsesTheImagesEntry()
    {
        var sceneDir = Path.Combine(files.Dir, "000007", "rgb");
        Directory.CreateDirectory(sceneDir);
        var image = Path.Combine(sceneDir, "000003.png");
        File.Copy(files.Image, image, overwrite: true);
        var det = Path.Combine(files.Dir, "det.json");
        File.WriteAllText(det, "[{\"scene_id\": 7, \"image_id\": 3, \"category_id\": 1, \"bbox\": [100, 80, 150, 120], \"score\": 0.9}]");
        var cfg = Path.Combine(files.Dir, "rel.yaml");
        File.WriteAllText(cfg, "MODEL:\n  BACKBONE: 'darknet_tiny_h'\nDATASETS:\n  N_CLASS: 3\n  BBOX_FILE: './bbox.json'\n");
        var json = Path.Combine(files.Dir, "det_out.json");
        var req = new PredictCommand.Request
        {
            ConfigPath = cfg, WeightsPath = files.Weights, ImagePath = image, DetectionsPath = det, ObjectId = 1,
            OutPath = Path.Combine(files.Dir, "det.png"), JsonPath = json,
        };
        PredictCommand.Run(req);
        var box = JsonNode.Parse(File.ReadAllText(json))!["box"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal([100.0, 80, 250, 200], box);
        var ex = Assert.Throws<ArgumentException>(() => PredictCommand.Run(req with { ObjectId = 2 }));
        Assert.Contains("no box for scene 7, image 3, object 2", ex.Message);
    }
}
