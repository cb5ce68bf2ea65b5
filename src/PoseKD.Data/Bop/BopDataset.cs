using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using PoseKD.Data.Imaging;
using PoseKD.Geometry;
using PoseKD.Geometry.Bop;

namespace PoseKD.Data.Bop;

/// <summary>
/// A LINEMOD/BOP image set read exactly as the reference does (docs/method.md §1): image paths from a list file
/// (relative to the list's folder unless absolute) or every image of a BOP split folder (optionally only
/// those in <c>test_targets_bop19.json</c>); per image, <c>scene_camera.json</c> / <c>scene_gt.json</c> of
/// its scene keyed by <c>str(int(name))</c> or <c>name</c>, masks <c>mask_visib/&lt;name&gt;_&lt;i:06d&gt;.png</c>
/// (255 = visible) merged into one label map, instances of obj ids without a model skipped.
/// Scene JSON files are parsed once and cached (thread-safe).
/// </summary>
public sealed class BopDataset
{
    private readonly ConcurrentDictionary<string, Lazy<SceneJson>> _scenes = new();
    private readonly ConcurrentDictionary<int, (BopSample Sample, Image8 Image)> _decoded = new();
    private long _cachedBytes;

    /// <summary>The object models (class ids).</summary>
    public ObjectModels Models { get; }

    /// <summary>Keypoints per class: the 8 box corners [8·3] (mm), or null when no box file was given.</summary>
    public double[][]? Keypoints { get; }

    /// <summary>Image paths, in list order.</summary>
    public IReadOnlyList<string> ImagePaths { get; }

    /// <summary>Expected image size (width, height), or null to accept any size.</summary>
    public (int Width, int Height)? ExpectedSize { get; init; }

    /// <summary>Number of images.</summary>
    public int Count => ImagePaths.Count;

    /// <summary>
    /// Keep up to this many bytes of decoded images and label maps in memory (0 = none, the default): a training set
    /// is read every epoch, and decoding its PNGs is most of a sample's cost. Cached items are shared: consumers
    /// must treat <see cref="BopSample"/> and <see cref="Image8"/> returned by <see cref="TryLoad"/> as read-only
    /// (the transforms copy before they write). Items beyond the budget are simply not cached.
    /// </summary>
    public long CacheBytes { get; set; }

    /// <summary>Bytes held by the decoded-image cache.</summary>
    public long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>Creates a dataset over explicit image paths.</summary>
    public BopDataset(IReadOnlyList<string> imagePaths, ObjectModels models, double[][]? keypoints)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentNullException.ThrowIfNull(models);
        if (keypoints != null && keypoints.Length < models.Count)
            throw new ArgumentException($"the 3D box file has {keypoints.Length} classes but the models folder has {models.Count} models");
        ImagePaths = imagePaths; Models = models; Keypoints = keypoints;
    }

    /// <summary>
    /// Reads a list file: one image path per line, relative to the list's folder unless absolute
    /// (blank lines ignored). <paramref name="bboxFile"/> may be null (no keypoints).
    /// </summary>
    public static BopDataset FromListFile(string listFile, string modelsDir, string? bboxFile)
    {
        ArgumentNullException.ThrowIfNull(listFile);
        if (!File.Exists(listFile)) throw new FileNotFoundException($"image list not found: {listFile}", listFile);
        string dir = Path.GetDirectoryName(Path.GetFullPath(listFile))!;
        var paths = File.ReadAllLines(listFile).Select(l => l.Trim()).Where(l => l.Length > 0)
            .Select(l => l.StartsWith('/') ? l : Path.Combine(dir, l)).ToList();
        var models = new ObjectModels(modelsDir);
        return new BopDataset(paths, models, Boxes(bboxFile, models));
    }

    /// <summary>
    /// Every image of a BOP split folder (<c>&lt;split&gt;/&lt;scene&gt;/rgb/*.png|jpg</c>, scenes and images sorted);
    /// with <paramref name="targetsFile"/> (<c>test_targets_bop19.json</c>: [{scene_id, im_id, obj_id, inst_count}])
    /// only the listed images.
    /// </summary>
    public static BopDataset FromSplitFolder(string splitDir, string modelsDir, string? bboxFile, string? targetsFile = null)
    {
        ArgumentNullException.ThrowIfNull(splitDir);
        if (!Directory.Exists(splitDir)) throw new DirectoryNotFoundException($"split folder not found: {splitDir}");
        if (Directory.Exists(Path.Combine(splitDir, "rgb")) || File.Exists(Path.Combine(splitDir, "scene_gt.json")))
            throw new ArgumentException($"'{splitDir}' is a scene folder (it holds rgb/ or scene_gt.json); give the split folder that contains the scenes (e.g. {Path.GetDirectoryName(Path.GetFullPath(splitDir))})");
        HashSet<(int, int)>? targets = targetsFile == null ? null : ReadTargets(targetsFile);
        var paths = new List<string>();
        foreach (var scene in Directory.GetDirectories(splitDir).Order(StringComparer.Ordinal))
        {
            string rgb = Path.Combine(scene, "rgb");
            if (!Directory.Exists(rgb)) continue;
            int.TryParse(Path.GetFileName(scene), NumberStyles.Integer, CultureInfo.InvariantCulture, out int sceneId);
            foreach (var img in Directory.GetFiles(rgb).Order(StringComparer.Ordinal))
            {
                if (!(img.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || img.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))) continue;
                if (targets != null)
                {
                    if (!int.TryParse(Path.GetFileNameWithoutExtension(img), NumberStyles.Integer, CultureInfo.InvariantCulture, out int imId)
                        || !targets.Contains((sceneId, imId))) continue;
                }
                paths.Add(img);
            }
        }
        if (paths.Count == 0)
            throw new ArgumentException(targets == null
                ? $"no images found in {splitDir} (expected <split>/<scene>/rgb/*.png or *.jpg)"
                : $"none of the {targets.Count} target images of {targetsFile} is in {splitDir}");
        var models = new ObjectModels(modelsDir);
        return new BopDataset(paths, models, Boxes(bboxFile, models));
    }

    private static double[][]? Boxes(string? bboxFile, ObjectModels models)
    {
        if (bboxFile == null) return null;
        var boxes = BoxFile.Read(bboxFile);
        if (boxes.Length < models.Count)
            throw new BopFormatException(bboxFile, "(document)", $"expected a box for each of the {models.Count} models in {models.Directory} (class ids are the sorted model files), found {boxes.Length}; regenerate it with posekd make-bbox");
        return boxes;
    }

    private static HashSet<(int, int)> ReadTargets(string path) =>
        BopScene.ReadTargets(path).Select(t => (t.SceneId, t.ImId)).ToHashSet();

    /// <summary>Reads the annotation of image <paramref name="index"/>; throws a clear error when anything is missing or malformed.</summary>
    public BopSample LoadAnnotation(int index)
    {
        string imgPath = ImagePaths[index];
        if (Directory.Exists(imgPath)) throw new BopFormatException(imgPath, "path", "expected an image file, found a folder");
        if (!File.Exists(imgPath)) throw new FileNotFoundException($"image not found: {imgPath} (listed in the image list, or a missing file of the split)", imgPath);
        string rgbDir = Path.GetDirectoryName(imgPath) ?? "";
        if (Path.GetFileName(rgbDir) != "rgb" && Path.GetFileName(rgbDir) != "gray")
            throw new BopFormatException(imgPath, "path", "expected an image inside a scene's rgb/ folder (<scene>/rgb/<name>.png)");
        string sceneDir = Path.GetDirectoryName(rgbDir) ?? "";
        string name = Path.GetFileNameWithoutExtension(imgPath);
        var scene = _scenes.GetOrAdd(sceneDir, d => new Lazy<SceneJson>(() => SceneJson.Load(d))).Value;
        string camKey = scene.Key(scene.Camera, name, scene.CameraPath);
        string gtKey = scene.Key(scene.Gt, name, scene.GtPath);
        var cam = scene.Camera.GetProperty(camKey);
        double[] k = BopJson.Numbers(scene.CameraPath, camKey, cam, "cam_K", 9);
        if (!(k[0] > 0 && k[4] > 0)) throw new BopFormatException(scene.CameraPath, camKey + ".cam_K", $"expected positive focal lengths, found fx = {k[0]}, fy = {k[4]}");
        var gts = scene.Gt.GetProperty(gtKey);
        if (gts.ValueKind != JsonValueKind.Array) throw new BopFormatException(scene.GtPath, gtKey, $"expected a list of instances, found {BopJson.Show(gts)}");
        var instances = new List<GtInstance>();
        byte[]? labels = null; int w = 0, h = 0, skipped = 0;
        int i = 0;
        foreach (var g in gts.EnumerateArray())
        {
            string field = $"{gtKey}[{i}]";
            if (g.ValueKind != JsonValueKind.Object) throw new BopFormatException(scene.GtPath, field, $"expected an instance object, found {BopJson.Show(g)}");
            if (!g.TryGetProperty("obj_id", out var objEl)) throw new BopFormatException(scene.GtPath, field + ".obj_id", "missing; expected an integer");
            int objId = BopJson.Int(scene.GtPath, field + ".obj_id", objEl);
            double[] r = BopJson.Numbers(scene.GtPath, field, g, "cam_R_m2c", 9);
            double[] t = BopJson.Numbers(scene.GtPath, field, g, "cam_t_m2c", 3);
            if (Geometry.Rotations.RotationMath.CheckRotation(r, Geometry.Rotations.RotationMath.AnnotationTolerance) is { } why)
                throw new BopFormatException(scene.GtPath, field + ".cam_R_m2c", $"expected a rotation matrix: {why}");
            if (t.Any(v => !(Math.Abs(v) <= BopScene.MaxTranslationMm)))
                throw new BopFormatException(scene.GtPath, field + ".cam_t_m2c", $"expected |t_i| ≤ {BopScene.MaxTranslationMm:G} mm");
            if (!Models.ClassOfObj.TryGetValue(objId, out int cls)) { skipped++; i++; continue; }
            string maskPath = Path.Combine(sceneDir, "mask_visib", $"{name}_{i:D6}.png");
            if (!File.Exists(maskPath))
                throw new FileNotFoundException($"missing visible mask of instance {i} of {imgPath}: expected {maskPath}", maskPath);
            var mask = ImageFile.Read(maskPath).FirstChannel();
            if (labels == null) { w = mask.Width; h = mask.Height; labels = new byte[w * h]; }
            else if (mask.Width != w || mask.Height != h)
                throw new ImageFormatException(maskPath, $"mask is {mask.Width}×{mask.Height}, other masks of this image are {w}×{h}");
            if (instances.Count >= 255) throw new BopFormatException(scene.GtPath, field, "more than 255 instances in one image");
            byte label = (byte)(instances.Count + 1);
            for (int p = 0; p < labels.Length; p++) if (mask.Data[p] == 255) labels[p] = label;
            instances.Add(new GtInstance(cls, objId, r, t, i));
            i++;
        }
        if (ExpectedSize is { } es && labels != null && (w != es.Width || h != es.Height))
            throw new ImageFormatException(imgPath, $"masks are {w}×{h}, expected {es.Width}×{es.Height}");
        int.TryParse(Path.GetFileName(sceneDir), NumberStyles.Integer, CultureInfo.InvariantCulture, out int sceneId);
        int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int imId);
        return new BopSample
        {
            ImagePath = imgPath, SceneDir = sceneDir, SceneId = sceneId, ImId = imId, K = k,
            Instances = instances, Labels = labels ?? [], Width = w, Height = h, SkippedInstances = skipped,
        };
    }

    /// <summary>
    /// Reads image <paramref name="index"/> as RGB (16-bit scaled to 8, grey replicated, alpha 0 → white), checking
    /// its size against <see cref="ExpectedSize"/> and, when given, against the sample's masks.
    /// </summary>
    public Image8 LoadImage(int index, BopSample? sample = null)
    {
        string path = ImagePaths[index];
        if (!File.Exists(path)) throw new FileNotFoundException($"image not found: {path}", path);
        var img = ImageFile.ReadRgb(path);
        if (ExpectedSize is { } es && (img.Width != es.Width || img.Height != es.Height))
            throw new ImageFormatException(path, $"image is {img.Width}×{img.Height}, expected {es.Width}×{es.Height}");
        if (sample != null && sample.Instances.Count > 0 && (img.Width != sample.Width || img.Height != sample.Height))
            throw new ImageFormatException(path, $"image is {img.Width}×{img.Height} but its masks are {sample.Width}×{sample.Height}");
        return img;
    }

    /// <summary>
    /// Loads annotation and image; on failure returns false and the problem (the reference's skip rule:
    /// training skips such images, evaluation reports them).
    /// </summary>
    public bool TryLoad(int index, out BopSample? sample, out Image8? image, out string? problem)
    {
        if (_decoded.TryGetValue(index, out var hit))
        {
            (sample, image, problem) = (hit.Sample, hit.Image, null);
            return true;
        }
        try
        {
            sample = LoadAnnotation(index);
            image = LoadImage(index, sample);
            problem = null;
            if (CacheBytes > 0)
            {
                long bytes = image.Data.Length + sample.Labels.Length + 256;
                if (Interlocked.Add(ref _cachedBytes, bytes) <= CacheBytes && _decoded.TryAdd(index, (sample, image))) return true;
                Interlocked.Add(ref _cachedBytes, -bytes);
            }
            return true;
        }
        catch (Exception e) when (e is FormatException or IOException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            sample = null; image = null;
            problem = e.Message;
            return false;
        }
    }

    private sealed class SceneJson
    {
        public required string CameraPath { get; init; }
        public required string GtPath { get; init; }
        public required JsonElement Camera { get; init; }
        public required JsonElement Gt { get; init; }

        public static SceneJson Load(string sceneDir)
        {
            string cam = Path.Combine(sceneDir, "scene_camera.json"), gt = Path.Combine(sceneDir, "scene_gt.json");
            return new SceneJson { CameraPath = cam, GtPath = gt, Camera = Parse(cam), Gt = Parse(gt) };
        }

        private static JsonElement Parse(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"missing scene file: {path}", path);
            // The same strict rules as the evaluation's reader: no repeated key, no two keys for one image.
            var root = BopJson.ParseObject(path, "an object keyed by image id");
            BopJson.ImageKeys(path, root, requireIntegers: false);
            return root;
        }

        /// <summary>The reference's key rule: <c>str(int(name))</c> if present, else <c>name</c>.</summary>
        public string Key(JsonElement obj, string name, string file)
        {
            if (int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
            {
                string s = id.ToString(CultureInfo.InvariantCulture);
                if (obj.TryGetProperty(s, out _)) return s;
            }
            if (obj.TryGetProperty(name, out _)) return name;
            throw new BopFormatException(file, name, $"no entry for image '{name}' (looked for keys '{(int.TryParse(name, out int v) ? v.ToString(CultureInfo.InvariantCulture) : name)}' and '{name}')");
        }
    }
}
