using System.Text.Json;
using PoseKD.Data.Bop;
using PoseKD.Data.Synthesis;
using PoseKD.Data.Transforms;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Inference.Onnx;
using PoseKD.Model.Network;

namespace PoseKD.Inference.Tests;

/// <summary>
/// A small synthetic dataset (one object, 160×120 images, a camera different from the internal one), a
/// darknet_tiny_h network made to fire everywhere (class bias +2, box-shaped keypoint offsets), its config,
/// weights, ONNX export and a detections file: what PoseEstimator and `posekd predict` are compared on.
/// </summary>
public sealed class PoseEstimatorFixture : IDisposable
{
    public const int InputRes = 64;
    public static readonly double[] CameraK = [150.2, 0, 79.4, 0, 151.1, 61.3, 0, 0, 1];
    public static readonly double[] InternalK = [143.0, 0, 81.0, 0, 143.5, 60.0, 0, 0, 1];
    public static readonly double[] Box = [38, 22, 118, 96];

    public PoseEstimatorFixture()
    {
        Dir = Directory.CreateTempSubdirectory("posekd_estimator_").FullName;
        SyntheticDatasetGenerator.Generate(new SynthOptions
        {
            OutputDir = Dir, Objects = ["lblock"], ImagesPerObject = 3, Width = 160, Height = 120, K = CameraK,
            MinDistanceMm = 300, MaxDistanceMm = 350, WriteDepth = false, Threads = 1,
        });
        Dataset = BopDataset.FromSplitFolder(Path.Combine(Dir, "real"), Path.Combine(Dir, "models"), Path.Combine(Dir, "linemod_bbox.json"));

        Net = new PoseNet(PoseNetOptions.ForBackbone("darknet_tiny_h") with { NClass = 2 }, new Generator(3));
        var g = new Generator(4);
        var clsW = Net.Head.ClsLogits.Weight.Data;
        for (int i = 0; i < clsW.Length; i++) clsW[i] = 0.05f * g.NextNormal();
        Array.Fill(Net.Head.ClsLogits.Bias!.Data, 2f);
        var b = Net.Head.PosePred.Bias!.Data;
        for (int i = 0; i < 8; i++)
        {
            b[i] = ((i & 4) != 0 ? 0.25f : -0.25f) + ((i & 1) != 0 ? 0.06f : 0f);
            b[8 + i] = ((i & 2) != 0 ? 0.2f : -0.2f) + ((i & 1) != 0 ? 0.04f : 0f);
        }
        Net.Eval();

        WeightsPath = Path.Combine(Dir, "net.safetensors");
        Checkpoint.SaveWeights(WeightsPath, Net);
        ConfigPath = Path.Combine(Dir, "deploy.yaml");
        File.WriteAllText(ConfigPath, $"""
            MODEL:
              BACKBONE: 'darknet_tiny_h'
            DATASETS:
              N_CLASS: 2
              BBOX_FILE: '{Path.Combine(Dir, "linemod_bbox.json")}'
            INPUT:
              INTERNAL_WIDTH: 160
              INTERNAL_HEIGHT: 120
              INTERNAL_K: [{string.Join(", ", InternalK.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]
              INPUT_RES: {InputRes}
            """);
        Metadata = PoseKD.Inference.Configuration.DeploymentConfig.Read(ConfigPath).Metadata;
        OnnxPath = Path.Combine(Dir, "net.onnx");
        OnnxExporter.SavePoseNet(Net, Metadata, OnnxPath, new OnnxExportOptions { DynamicBatch = true });

        DetectionsPath = Path.Combine(Dir, "detections.json");
        var dets = Enumerable.Range(0, Dataset.Count).Select(i =>
        {
            var a = Dataset.LoadAnnotation(i);
            return new { scene_id = a.SceneId, image_id = a.ImId, category_id = a.Instances[0].ObjId, bbox = new[] { Box[0], Box[1], Box[2] - Box[0], Box[3] - Box[1] }, score = 1.0 };
        });
        File.WriteAllText(DetectionsPath, JsonSerializer.Serialize(dets));
    }

    public string Dir { get; }
    public BopDataset Dataset { get; }
    public PoseNet Net { get; }
    public string WeightsPath { get; }
    public string ConfigPath { get; }
    public string OnnxPath { get; }
    public string DetectionsPath { get; }
    public PoseModelMetadata Metadata { get; }

    /// <summary>The test-mode sample builder `posekd predict` uses, with this fixture's internal camera, crop size and detections.</summary>
    public SampleBuilder Builder() => new(Dataset, new TransformOptions { InternalWidth = 160, InternalHeight = 120, InternalK = InternalK, InputRes = InputRes }, training: false)
    {
        Detections = Detections.Read(DetectionsPath),
    };

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
