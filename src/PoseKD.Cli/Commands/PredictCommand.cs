using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoseKD.Data.Bop;
using PoseKD.Data.Imaging;
using PoseKD.Data.Transforms;
using PoseKD.Engine.Autograd;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Rotations;
using PoseKD.Inference.Runtime;
using PoseKD.Model.Network;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Targets;
using PoseKD.Training.Config;
using PoseKD.Training.Visualization;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd predict</c>: one image through a trained network. The image is warped to the internal camera, a
/// DZI crop is taken around the given box (or a detection, or the whole image), the network runs, the
/// post-processing turns its maps into poses in the image's own camera; the poses are drawn (3D box, axes,
/// keypoints used) and optionally written as JSON, and the raw per-level maps optionally dumped.
/// </summary>
public sealed class PredictCommand : IVerb
{
    /// <summary>What to run.</summary>
    public sealed record Request
    {
        /// <summary>YAML config (the reference's format); null uses the reference defaults.</summary>
        public string? ConfigPath { get; init; }

        /// <summary>Backbone; null takes <c>MODEL.BACKBONE</c> of the config.</summary>
        public string? Backbone { get; init; }

        /// <summary>Network weights (.pth or .safetensors).</summary>
        public required string WeightsPath { get; init; }

        /// <summary>Image (PNG or JPEG).</summary>
        public required string ImagePath { get; init; }

        /// <summary>Camera fx, fy, cx, cy of the image; null: the internal camera.</summary>
        public double[]? Intrinsics { get; init; }

        /// <summary>Object box x1, y1, x2, y2 in image pixels; null: detections or the whole image.</summary>
        public double[]? Box { get; init; }

        /// <summary>Detections file (BOP/COCO boxes); the entry of this image (scene and image id from the BOP path) and <see cref="ObjectId"/> is used.</summary>
        public string? DetectionsPath { get; init; }

        /// <summary>Object id to look up in the detections file.</summary>
        public int? ObjectId { get; init; }

        /// <summary>Keep only this class id; null: all classes.</summary>
        public int? ClassId { get; init; }

        /// <summary>3D box file (linemod_bbox.json); null: <c>DATASETS.BBOX_FILE</c> of the config (relative to the working directory, else to the config's folder).</summary>
        public string? BboxFile { get; init; }

        /// <summary>Output picture (PNG).</summary>
        public required string OutPath { get; init; }

        /// <summary>Optional JSON of the poses.</summary>
        public string? JsonPath { get; init; }

        /// <summary>Optional safetensors dump of the input crop and the raw per-level maps.</summary>
        public string? RawPath { get; init; }

        /// <summary>"engine" (PoseKD's network on <see cref="WeightsPath"/>) or "onnx" (ONNX Runtime on the exported .onnx file <see cref="WeightsPath"/> names).</summary>
        public string Runtime { get; init; } = "engine";
    }

    /// <inheritdoc />
    public Command Build()
    {
        var config = new Option<string?>("--config") { Description = "YAML config (the reference's format, e.g. configs/ape.yaml); defaults to the reference values." };
        var backbone = new Option<string?>("--backbone") { Description = "darknet53 | darknet_tiny | darknet_tiny_h (default: MODEL.BACKBONE of the config)." };
        var weights = new Option<string>("--weights") { Description = "Network weights: a .pth state dict (the reference's) or a PoseKD .safetensors.", Required = true };
        var image = new Option<string>("--image") { Description = "The image (PNG or JPEG).", Required = true };
        var k = new Option<string?>("--K") { Description = "The image's camera as fx,fy,cx,cy (default: INPUT.INTERNAL_K)." };
        var box = new Option<string?>("--box") { Description = "Object box x1,y1,x2,y2 in image pixels (the DZI crop is taken around it)." };
        var detections = new Option<string?>("--detections") { Description = "Detections JSON (scene_id, image_id, category_id, bbox, score); the image's ids come from its BOP path." };
        var objId = new Option<int?>("--obj-id") { Description = "Object id to look up in --detections." };
        var classId = new Option<int?>("--class") { Description = "Only report this class id (0-based)." };
        var bboxFile = new Option<string?>("--bbox-file") { Description = "3D box keypoint file (default: DATASETS.BBOX_FILE of the config)." };
        var output = new Option<string>("--out") { Description = "Output picture (PNG) with the predicted boxes, axes and keypoints.", Required = true };
        var json = new Option<string?>("--json") { Description = "Write the poses (class, score, R, t, inliers) as JSON." };
        var raw = new Option<string?>("--dump-raw") { Description = "Write the input crop and the raw per-level class/regression maps as safetensors." };
        var runtime = new Option<string>("--runtime") { Description = "engine (PoseKD's network on --weights) | onnx (ONNX Runtime on the .onnx file --weights names, from posekd export).", DefaultValueFactory = _ => "engine" };
        runtime.AcceptOnlyFromAmong("engine", "onnx");
        var cmd = new Command("predict", "Estimate object poses in one image and draw them.");
        foreach (var o in new Option[] { config, backbone, weights, image, k, box, detections, objId, classId, bboxFile, output, json, raw, runtime }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var req = new Request
            {
                ConfigPath = parse.GetValue(config), Backbone = parse.GetValue(backbone), WeightsPath = parse.GetValue(weights)!,
                ImagePath = parse.GetValue(image)!, Intrinsics = ParseNumbers(parse.GetValue(k), 4, "--K", "fx,fy,cx,cy"),
                Box = ParseNumbers(parse.GetValue(box), 4, "--box", "x1,y1,x2,y2"), DetectionsPath = parse.GetValue(detections),
                ObjectId = parse.GetValue(objId), ClassId = parse.GetValue(classId), BboxFile = parse.GetValue(bboxFile),
                OutPath = parse.GetValue(output)!, JsonPath = parse.GetValue(json), RawPath = parse.GetValue(raw),
                Runtime = parse.GetValue(runtime)!,
            };
            var preds = Run(req);
            Console.WriteLine(preds.Count == 0 ? "no object found" : string.Join(Environment.NewLine, preds.Select(p =>
                FormattableString.Invariant($"class {p.ClassId}: score {p.Score:F3}, t = ({p.T[0]:F1}, {p.T[1]:F1}, {p.T[2]:F1}) mm, {p.InlierCount}/{p.Keypoints.Length / 2} inliers"))));
            Console.WriteLine($"wrote {req.OutPath}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Runs the prediction and writes the requested files; returns the poses (image camera).</summary>
    /// <exception cref="ArgumentException">an option is inconsistent (box outside the image, both --box and --detections, …).</exception>
    /// <exception cref="FileNotFoundException">an input file is missing.</exception>
    public static IReadOnlyList<PosePrediction> Run(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Box != null && request.DetectionsPath != null) throw new ArgumentException("give either --box or --detections, not both");
        var cfg = request.ConfigPath != null ? PoseKDConfig.Load(request.ConfigPath) : new PoseKDConfig();
        if (request.Backbone != null) cfg = cfg.WithBackbone(request.Backbone);
        else if (request.ConfigPath == null) cfg = cfg.WithBackbone(cfg.Model.Backbone);
        var netOptions = ConfigMapping.ToPoseNetOptions(cfg);
        var head = ConfigMapping.ToHeadOptions(cfg);
        string bboxFile = request.BboxFile ?? cfg.Datasets.BboxFile;
        if (request.BboxFile == null && request.ConfigPath != null && !Path.IsPathRooted(bboxFile) && !File.Exists(bboxFile))
        {
            // relative to the working directory (the reference's rule), else to the config's folder (PoseKD's generated configs)
            var besideConfig = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(request.ConfigPath)) ?? ".", bboxFile);
            if (File.Exists(besideConfig)) bboxFile = besideConfig;
        }
        if (!File.Exists(bboxFile)) throw new FileNotFoundException($"3D box file not found: {bboxFile} (set --bbox-file or DATASETS.BBOX_FILE)", bboxFile);
        var keypoints = BoxFile.Read(bboxFile);
        if (keypoints.Length < netOptions.NumForegroundClasses)
            throw new ArgumentException($"{bboxFile} has boxes for {keypoints.Length} classes but the network predicts {netOptions.NumForegroundClasses} (DATASETS.N_CLASS = {netOptions.NClass})");
        if (!File.Exists(request.WeightsPath)) throw new FileNotFoundException($"weights file not found: {request.WeightsPath}", request.WeightsPath);
        if (!File.Exists(request.ImagePath)) throw new FileNotFoundException($"image not found: {request.ImagePath}", request.ImagePath);
        var img = ImageFile.ReadRgb(request.ImagePath);

        var kImg = request.Intrinsics is { } f ? new double[] { f[0], 0, f[2], 0, f[1], f[3], 0, 0, 1 } : head.InternalK.ToArray();
        if (!(kImg[0] > 0 && kImg[4] > 0)) throw new ArgumentException($"--K focal lengths must be positive, got fx {kImg[0]}, fy {kImg[4]}");
        var box = ImageBox(request, img.Width, img.Height);

        Prediction run;
        if (request.Runtime == "onnx")
        {
            using var onnx = OnnxNetworkRunner.Open(request.WeightsPath);
            if (onnx.InputRes != cfg.Input.InputRes) cfg = cfg with { Input = cfg.Input with { InputRes = onnx.InputRes } };
            run = Predict(img, kImg, box, cfg, head, keypoints, request.ClassId, (crop, _) => BatchedRunner.Run(onnx, crop));
        }
        else if (request.Runtime == "engine")
        {
            var net = new PoseNet(netOptions);
            PoseNetWeights.Load(net, request.WeightsPath);
            net.Eval();
            run = Predict(img, kImg, box, cfg, head, keypoints, request.ClassId, (crop, _) =>
            {
                using (GradMode.NoGrad()) return net.Forward(crop);
            });
        }
        else throw new ArgumentException($"--runtime: expected engine or onnx, got '{request.Runtime}'");
        WriteFile(request.OutPath, run.Picture);
        if (request.JsonPath != null) WriteFile(request.JsonPath, System.Text.Encoding.UTF8.GetBytes(Json(request, kImg, box, run.Poses) + "\n"));
        if (request.RawPath != null) DumpRaw(request.RawPath, run.Crop, cfg.Input.InputRes, run.BboxTrans, run.Output);
        return run.Poses;
    }

    /// <summary>What one prediction produced.</summary>
    internal sealed record Prediction(IReadOnlyList<PosePrediction> Poses, byte[] Picture, float[] Crop, double[] BboxTrans, PoseNetOutput Output);

    /// <summary>
    /// The pipeline behind <see cref="Run"/>: warp the RGB image (camera <paramref name="kImg"/>) to the internal camera,
    /// take the DZI test crop around <paramref name="box"/> (image pixels; null: the whole image), run
    /// <paramref name="network"/> on the normalised crop [1, 3, S, S] (it also gets bbox_trans, image → crop, of the
    /// internal image), post-process into poses in the image's camera and draw them on the image.
    /// </summary>
    internal static Prediction Predict(Image8 img, double[] kImg, double[]? box, PoseKDConfig cfg, HeadOptions head, double[][] keypoints,
        int? classId, Func<Tensor, double[], PoseNetOutput> network)
    {
        var kInt = head.InternalK.ToArray();
        int w = head.InternalWidth, h = head.InternalHeight;
        var resize = Affine2D.FromMatrix3x3(RotationMath.Multiply(kInt, Camera.InvertK(kImg)));
        var rgb = new byte[w * h * 3];
        ImageWarp.BilinearU8(img.Data, resize, 128, rgb, img.Width, img.Height, w, h, 3);
        double[] boxInt;
        if (box == null) boxInt = [0, 0, w, h];
        else
        {
            var (x1, y1) = Affine2D.Apply(resize, box[0], box[1]);
            var (x2, y2) = Affine2D.Apply(resize, box[2], box[3]);
            boxInt = [Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2)];
        }
        int s = cfg.Input.InputRes;
        var (cx, cy, side) = Dzi.TestCrop(boxInt, w, h);
        var trans = Dzi.CropTransform(cx, cy, side, s);
        var norm = SampleBuilder.Normalize(rgb, w, h, cfg.Input.PixelMean, cfg.Input.PixelStd);
        var crop = new float[3 * s * s];
        ImageWarp.BilinearPlanarF32(norm, trans, 0f, crop, w, h, s, s, 3);
        var output = network(Tensor.FromArray(crop, 1, 3, s, s), trans);

        var info = new PoseImageInfo { K = kInt, BboxTrans = trans, OriginalK = kImg, ClassFilter = classId is { } c ? [c] : null };
        var preds = new PostProcessor(head, keypoints).Predict(output, [info])[0];

        var back = Affine2D.Invert(resize);
        var overlays = preds.Select(p =>
        {
            var pts = new float[p.Keypoints.Length];
            Affine2D.Apply(back, p.Keypoints, pts);
            return new PosePainter.Overlay(p.R, p.T, keypoints[p.ClassId], pts, FormattableString.Invariant($"class {p.ClassId}  {p.Score:F2}"));
        }).ToArray();
        return new Prediction(preds, PosePainter.RenderPng(img.Data, img.Width, img.Height, kImg, overlays), crop, trans, output);
    }

    /// <summary>The object box in image pixels from --box or --detections (null: none given).</summary>
    private static double[]? ImageBox(Request request, int width, int height)
    {
        double[]? box = request.Box;
        if (request.DetectionsPath != null)
        {
            if (request.ObjectId is not { } obj) throw new ArgumentException("--detections needs --obj-id (the object to look up)");
            var (scene, im) = BopIds(request.ImagePath);
            box = Detections.Read(request.DetectionsPath).Box(scene, im, obj)
                ?? throw new ArgumentException($"{request.DetectionsPath} has no box for scene {scene}, image {im}, object {obj}");
        }
        if (box == null) return null;
        if (!(box[0] < box[2] && box[1] < box[3]) || box[0] < 0 || box[1] < 0 || box[2] > width || box[3] > height)
            throw new ArgumentException(FormattableString.Invariant($"--box {box[0]},{box[1]},{box[2]},{box[3]} must satisfy 0 ≤ x1 < x2 ≤ {width} and 0 ≤ y1 < y2 ≤ {height} (the image is {width}×{height})"));
        return box;
    }

    /// <summary>Scene and image id of a BOP image path <c>…/&lt;scene&gt;/rgb/&lt;image&gt;.png</c>.</summary>
    private static (int Scene, int Im) BopIds(string path)
    {
        var full = Path.GetFullPath(path);
        var rgbDir = Path.GetDirectoryName(full);
        var sceneDir = rgbDir == null ? null : Path.GetDirectoryName(rgbDir);
        if (sceneDir == null || !int.TryParse(Path.GetFileName(sceneDir), NumberStyles.Integer, CultureInfo.InvariantCulture, out int scene)
            || !int.TryParse(Path.GetFileNameWithoutExtension(full), NumberStyles.Integer, CultureInfo.InvariantCulture, out int im))
            throw new ArgumentException($"--detections needs a BOP image path <scene>/rgb/<image id>.png to find the image's entry, got {path}");
        return (scene, im);
    }

    private static double[]? ParseNumbers(string? text, int n, string option, string form)
    {
        if (text == null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var v = new double[parts.Length];
        if (parts.Length != n || parts.Where((p, i) => !double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i])).Any())
            throw new ArgumentException($"{option} expects {n} comma-separated numbers {form}, got '{text}'");
        return v;
    }

    private static string Json(Request request, double[] k, double[]? box, IReadOnlyList<PosePrediction> preds)
    {
        var list = new JsonArray();
        foreach (var p in preds)
            list.Add(new JsonObject
            {
                ["class"] = p.ClassId, ["score"] = p.Score,
                ["R"] = new JsonArray(p.R.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
                ["t"] = new JsonArray(p.T.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
                ["inliers"] = p.InlierCount, ["correspondences"] = p.Keypoints.Length / 2, ["cells"] = p.Cells.Count,
            });
        var root = new JsonObject
        {
            ["image"] = request.ImagePath, ["weights"] = request.WeightsPath,
            ["K"] = new JsonArray(k.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
            ["box"] = box == null ? null : new JsonArray(box.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
            ["predictions"] = list,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static void DumpRaw(string path, float[] crop, int s, double[] trans, PoseNetOutput output)
    {
        var arrays = new Dictionary<string, NamedArray>
        {
            ["input"] = NamedArray.FromFloats(crop, 1, 3, s, s),
            ["bbox_trans"] = NamedArray.FromFloat64(trans, 2, 3),
        };
        for (int k = 0; k < output.ClsLogits.Count; k++)
        {
            arrays[$"cls{k}"] = NamedArray.FromFloats(output.ClsLogits[k].Data, output.ClsLogits[k].Shape.Select(v => (long)v).ToArray());
            arrays[$"reg{k}"] = NamedArray.FromFloats(output.PoseReg[k].Data, output.PoseReg[k].Shape.Select(v => (long)v).ToArray());
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        SafeTensors.WriteArrays(path, arrays);
    }

    private static void WriteFile(string path, byte[] bytes)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }
}
