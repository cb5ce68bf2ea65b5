// PoseEstimator sample: estimate 6D poses in an image with a network exported by `posekd export`.
//
//   dotnet run --project samples/PoseEstimatorSample -- MODEL.onnx [CONFIG.yaml]
//       estimates the poses in a synthetic LINEMOD-style image (rendered here) with your model;
//   dotnet run --project samples/PoseEstimatorSample
//       does the same with an untrained darknet_tiny_h exported on the fly (it finds nothing, but every step runs).
using PoseKD.Data.Bop;
using PoseKD.Data.Synthesis;
using PoseKD.Engine.Tensors;
using PoseKD.Inference;
using PoseKD.Inference.Onnx;
using PoseKD.Model.Network;

var work = Directory.CreateTempSubdirectory("posekd_sample_").FullName;
try
{
    // 1. A synthetic image with a known pose: one built-in object, LINEMOD's camera, 640×480.
    SyntheticDatasetGenerator.Generate(new SynthOptions { OutputDir = work, Objects = ["lblock"], ImagesPerObject = 1, TrainFraction = 0, WriteDepth = false });
    var dataset = BopDataset.FromSplitFolder(Path.Combine(work, "real"), Path.Combine(work, "models"), Path.Combine(work, "linemod_bbox.json"));
    var annotation = dataset.LoadAnnotation(0);
    var image = dataset.LoadImage(0, annotation);
    var gt = annotation.Instances[0];

    // 2. The model: yours, or an untrained one exported now.
    string modelPath = args.Length > 0 ? args[0] : ExportDemoModel(work, dataset.Keypoints!);
    string? configPath = args.Length > 1 ? args[1] : null;
    using var estimator = PoseEstimator.Load(modelPath, configPath);
    Console.WriteLine($"model {modelPath}: {estimator.Settings.Backbone} on {estimator.Runtime}, {estimator.Settings.NClass - 1} classes, {estimator.Settings.InputRes} px crops");

    // 3. The object's box, as a detector would give it (here: the projected 3D box of the true pose).
    var px = new double[16];
    PoseKD.Geometry.Cameras.Camera.Project(gt.R, gt.T, annotation.K, dataset.Keypoints![gt.ClassId], px);
    double[] box = [Enumerable.Range(0, 8).Min(i => px[2 * i]), Enumerable.Range(0, 8).Min(i => px[2 * i + 1]),
                    Enumerable.Range(0, 8).Max(i => px[2 * i]), Enumerable.Range(0, 8).Max(i => px[2 * i + 1])];

    // 4. Estimate (thread-safe: call it from as many threads as you like).
    var poses = estimator.Estimate(image, annotation.K, box);
    Console.WriteLine($"ground truth: class {gt.ClassId}, t = [{string.Join(", ", gt.T.Select(v => v.ToString("F1")))}] mm");
    if (poses.Count == 0) Console.WriteLine("no object found" + (args.Length == 0 ? " (expected: the demo network is untrained)" : ""));
    foreach (var p in poses)
        Console.WriteLine($"class {p.ClassId}: score {p.Score:F3}, t = [{string.Join(", ", p.T.Select(v => v.ToString("F1")))}] mm, {p.Inliers} inliers of {8 * p.Cells}");
    estimator.Estimate(image, annotation.K, box, out var timing);
    Console.WriteLine($"time (second call): {timing.PreprocessMs:F1} ms warp + crop, {timing.NetworkMs:F1} ms network, {timing.PostprocessMs:F1} ms post-processing");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

// An untrained darknet_tiny_h with one class per keypoint entry, exported with those keypoints in its metadata.
static string ExportDemoModel(string dir, double[][] keypoints)
{
    var options = PoseNetOptions.ForBackbone("darknet_tiny_h") with { NClass = keypoints.Length + 1 };
    var net = new PoseNet(options, new Generator(7));
    var metadata = new PoseModelMetadata
    {
        Backbone = options.Backbone, NClass = options.NClass, LevelStrides = options.LevelStrides,
        AnchorSizes = options.AnchorSizes, AnchorStrides = options.AnchorStrides, Keypoints3d = keypoints,
    };
    var path = Path.Combine(dir, "demo_tiny_h.onnx");
    OnnxExporter.SavePoseNet(net, metadata, path);
    return path;
}
