using System.Collections.Concurrent;
using System.Diagnostics;
using PoseKD.Data.Imaging;
using PoseKD.Data.Transforms;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Rotations;
using PoseKD.Inference.Configuration;
using PoseKD.Inference.Onnx;
using PoseKD.Inference.Runtime;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Targets;
using Tensor = PoseKD.Engine.Tensors.Tensor;

namespace PoseKD.Inference;

/// <summary>
/// 6D pose estimation for applications: load a trained network once (an <c>.onnx</c> from <c>posekd export</c>,
/// run by ONNX Runtime, or a PoseKD checkpoint / safetensors / <c>.pth</c> with its config, run by PoseKD's
/// engine), then call <see cref="Estimate(Image8, double[], double[])"/> per image. Each call does what <c>posekd predict</c> does: warp
/// the image to the internal camera, normalise, take the DZI crop around the object box, run the network,
/// select cells, RANSAC-EPnP, canonicalise symmetric classes and re-express the pose in the image's camera.
/// Calls may run concurrently from several threads; the large per-call buffers (internal image, normalised
/// image, crop) come from a pool and are reused.
/// </summary>
public sealed class PoseEstimator : IDisposable
{
    private readonly INetworkRunner _runner;
    private readonly PostProcessor _post;
    private readonly ConcurrentBag<Workspace> _pool = new();
    private readonly double[] _internalK;

    /// <summary>Workspaces currently idle in the pool (tests check that calls reuse them).</summary>
    internal int PooledWorkspaces => _pool.Count;

    /// <summary>Creates an estimator around a network runner and its decoding settings (which must include the 3D keypoints).</summary>
    /// <exception cref="ArgumentException">the settings do not fit the runner, or lack keypoints.</exception>
    public PoseEstimator(INetworkRunner runner, PoseModelMetadata settings)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.InputRes != runner.InputRes)
            throw new ArgumentException($"settings say crop size {settings.InputRes} but the network takes {runner.InputRes}");
        if (settings.Keypoints3d.Count < settings.NClass - 1)
            throw new ArgumentException($"the estimator needs the 3D keypoints of all {settings.NClass - 1} classes, got {settings.Keypoints3d.Count} (export with a config whose DATASETS.BBOX_FILE exists, or pass that config to Load)");
        _runner = runner;
        Settings = settings;
        _internalK = settings.InternalK.ToArray();
        var head = new HeadOptions
        {
            AnchorSizes = settings.AnchorSizes,
            AnchorStrides = settings.AnchorStrides,
            ConfidenceTh = settings.ConfidenceTh,
            PositiveNum = settings.PositiveNum,
            PositiveLambda = settings.PositiveLambda,
            InternalK = settings.InternalK,
            InternalWidth = settings.InternalWidth,
            InternalHeight = settings.InternalHeight,
            SymmetryTypes = settings.SymmetryTypes.ToDictionary(p => p.Key, p => SymmetryCanonicalizer.Parse(p.Value)),
        };
        _post = new PostProcessor(head, settings.Keypoints3d);
    }

    /// <summary>
    /// Loads a model: an <c>.onnx</c> file (decoding settings from its metadata; <paramref name="configPath"/>,
    /// when given, supplies the 3D keypoints if the model has none) or PoseKD weights (checkpoint, safetensors
    /// or <c>.pth</c>; <paramref name="configPath"/> is then required and describes the network).
    /// <paramref name="threads"/> bounds ONNX Runtime's intra-op threads (0: its default).
    /// </summary>
    /// <exception cref="FileNotFoundException">a file does not exist.</exception>
    /// <exception cref="FormatException">a corrupt or unsupported model or config; the message names the file and what was expected.</exception>
    public static PoseEstimator Load(string modelPath, string? configPath = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var config = configPath is null ? null : DeploymentConfig.Read(configPath);
        if (modelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var runner = OnnxNetworkRunner.Open(modelPath, threads);
            try
            {
                var settings = runner.Metadata;
                if (settings.Keypoints3d.Count == 0 && config is not null) settings = settings with { Keypoints3d = config.Metadata.Keypoints3d };
                return new PoseEstimator(runner, settings);
            }
            catch { runner.Dispose(); throw; }
        }
        if (config is null) throw new ArgumentException($"{modelPath}: PoseKD weights need the config that describes the network (pass configPath)", nameof(configPath));
        var engine = EngineNetworkRunner.Load(modelPath, config.Network, config.Metadata.InputRes);
        return new PoseEstimator(engine, config.Metadata);
    }

    /// <summary>The decoding settings (classes, strides, anchors, crop size, normalisation, internal camera, keypoints).</summary>
    public PoseModelMetadata Settings { get; }

    /// <summary>The runtime the network runs on ("onnx" or "engine").</summary>
    public string Runtime => _runner.Runtime;

    /// <summary>
    /// Estimates the poses in <paramref name="image"/> (RGB, 3 channels, any size) taken with camera
    /// <paramref name="k"/> (row-major [9], pixels). <paramref name="box"/> (x1, y1, x2, y2 in the image's pixels)
    /// is the detector's box of the object; the DZI crop is 1.5 × its larger side around its centre. Without a box
    /// the whole image is the box. Returns the poses found, classes in ascending id (empty when none).
    /// </summary>
    /// <exception cref="ArgumentException">an image that is not 3-channel, a camera that does not fit the image, a malformed box.</exception>
    public IReadOnlyList<PoseResult> Estimate(Image8 image, double[] k, double[]? box = null) => Estimate(image, k, box, out _);

    /// <summary>
    /// <see cref="Estimate(Image8, double[], double[])"/> that also returns the call's <paramref name="timings"/>
    /// (available when no pose is found, too).
    /// </summary>
    public IReadOnlyList<PoseResult> Estimate(Image8 image, double[] k, double[]? box, out PoseTimings timings)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(k);
        if (image.Channels != 3)
            throw new ArgumentException($"image must be RGB with 3 channels, got {image.Channels} (convert with Image8.ToRgb())", nameof(image));
        if (k.Length != 9 || !(k[0] > 0) || !(k[4] > 0) || k[8] != 1)
            throw new ArgumentException($"K must be a row-major 3×3 camera [fx, 0, cx, 0, fy, cy, 0, 0, 1] with positive focal lengths, got [{string.Join(", ", k)}]", nameof(k));
        if (k[2] < 0 || k[2] > image.Width || k[5] < 0 || k[5] > image.Height)
            throw new ArgumentException($"K's principal point ({k[2]}, {k[5]}) lies outside the {image.Width}×{image.Height} image: the camera is not this image's (wrong image size?)", nameof(image));
        if (box is not null && (box.Length != 4 || !(box[2] > box[0]) || !(box[3] > box[1]) || box.Any(v => !double.IsFinite(v))))
            throw new ArgumentException($"box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1, got [{string.Join(", ", box)}]", nameof(box));

        var sw = Stopwatch.StartNew();
        var ws = _pool.TryTake(out var w) ? w : new Workspace(Settings);
        try
        {
            int iw = Settings.InternalWidth, ih = Settings.InternalHeight, s = Settings.InputRes;
            var resize = Affine2D.FromMatrix3x3(RotationMath.Multiply(_internalK, Camera.InvertK(k)));
            ImageWarp.BilinearU8(image.Data, resize, 128, ws.Rgb, image.Width, image.Height, iw, ih, 3);
            ws.Normalize();
            double[] internalBox;
            if (box is null) internalBox = [0, 0, iw, ih];
            else
            {
                var (x1, y1) = Affine2D.Apply(resize, box[0], box[1]);
                var (x2, y2) = Affine2D.Apply(resize, box[2], box[3]);
                internalBox = [Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2)];
            }
            var (cx, cy, side) = Dzi.TestCrop(internalBox, iw, ih);
            var trans = Dzi.CropTransform(cx, cy, side, s);
            ImageWarp.BilinearPlanarF32(ws.Normalized, trans, 0f, ws.Crop, iw, ih, s, s, 3);
            double preMs = sw.Elapsed.TotalMilliseconds;

            var output = _runner.Run(Tensor.FromArray(ws.Crop, 1, 3, s, s));
            double netMs = sw.Elapsed.TotalMilliseconds - preMs;

            var info = new PoseImageInfo { K = (double[])_internalK.Clone(), BboxTrans = trans, OriginalK = (double[])k.Clone() };
            var poses = _post.Predict(output, [info])[0];
            double postMs = sw.Elapsed.TotalMilliseconds - preMs - netMs;
            var t = new PoseTimings(preMs, netMs, postMs);
            timings = t;
            return poses.Select(p => new PoseResult(p.ClassId, p.R, p.T, p.Score, p.InlierCount, p.Cells.Count, t)).ToArray();
        }
        finally { _pool.Add(ws); }
    }

    /// <summary>Releases the network runner.</summary>
    public void Dispose() => _runner.Dispose();

    /// <summary>Per-call buffers: internal RGB image, its normalised planar copy, the crop.</summary>
    private sealed class Workspace
    {
        private readonly float[] _mean = new float[3], _std = new float[3];

        public Workspace(PoseModelMetadata m)
        {
            int n = m.InternalWidth * m.InternalHeight;
            Rgb = new byte[3 * n];
            Normalized = new float[3 * n];
            Crop = new float[3 * m.InputRes * m.InputRes];
            for (int c = 0; c < 3; c++) { _mean[c] = (float)m.PixelMean[c]; _std[c] = (float)m.PixelStd[c]; }
        }

        public byte[] Rgb { get; }
        public float[] Normalized { get; }
        public float[] Crop { get; }

        /// <summary>RGB bytes [h, w, 3] → planar (v/255 − mean_c)/std_c, the same float arithmetic as <see cref="SampleBuilder.Normalize"/>.</summary>
        public void Normalize()
        {
            int n = Rgb.Length / 3;
            for (int c = 0; c < 3; c++)
            {
                var dst = Normalized.AsSpan(c * n, n);
                float m = _mean[c], s = _std[c];
                for (int p = 0; p < n; p++) dst[p] = (Rgb[3 * p + c] / 255f - m) / s;
            }
        }
    }
}
