using System.Globalization;
using System.Text;
using PoseKD.Data.Imaging;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Synthesis;

/// <summary>
/// Renders a LINEMOD-format dataset (docs/method.md §1): one scene per object under <c>real/&lt;obj_id:06d&gt;/</c>
/// with <c>rgb</c>, <c>depth</c>, <c>mask</c>, <c>mask_visib</c>, <c>scene_camera.json</c>, <c>scene_gt.json</c>,
/// <c>scene_gt_info.json</c>; <c>models/</c> PLYs + <c>models_info.json</c>; <c>&lt;cls&gt;_train.txt</c> /
/// <c>&lt;cls&gt;_test.txt</c>; <c>linemod_bbox.json</c>; one YAML config per object in the reference's format.
/// Each image has its own random stream seeded from (seed, object, image), so the output is byte-identical
/// for a seed whatever the thread count. Every option is checked before anything is written; the dataset is
/// written into a hidden sibling folder (<c>.&lt;name&gt;.partial</c>) that is renamed to the output folder only
/// when everything succeeded, so a failed or interrupted run never leaves a half-written dataset behind (a
/// stale partial folder from a killed run is replaced by the next run).
/// </summary>
public static class SyntheticDatasetGenerator
{
    private sealed record SynthObject(int ObjId, string Name, Mesh Mesh, RenderMesh Render, IReadOnlyList<double[]> Symmetries, IReadOnlyList<object>? SymmetryType);

    private sealed class Annotation
    {
        public double[] R = new double[9];
        public double[] T = new double[3];
        public int[] BboxObj = [-1, -1, -1, -1];
        public int[] BboxVisib = [-1, -1, -1, -1];
        public int PxAll, PxVisib;
        public long Bytes;
    }

    /// <summary>Renders and writes the dataset; <paramref name="progress"/> gets (images done, total).</summary>
    public static SynthSummary Generate(SynthOptions options, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        string final = Path.GetFullPath(options.OutputDir).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(final)) throw new IOException($"output path {final} is a file; expected a folder to create");
        if (Directory.Exists(final) && Directory.EnumerateFileSystemEntries(final).Any())
            throw new IOException($"output folder {final} exists and is not empty");
        string parent = Path.GetDirectoryName(final) ?? throw new IOException($"output path {final} has no parent folder");
        for (string? a = parent; a != null; a = Path.GetDirectoryName(a))
            if (File.Exists(a)) throw new IOException($"cannot create {final}: {a} is a file, not a folder");
        var objects = LoadObjects(options);
        Directory.CreateDirectory(parent);
        string root = Path.Combine(parent, $".{Path.GetFileName(final)}.partial");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var configs = new List<string>();
        int total, train = 0;
        long bytes;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "models"));

            bytes = WriteModels(root, objects);
            var pool = DistractorPool(options.Seed);

            int n = options.ImagesPerObject;
            total = n * objects.Count;
            var ann = new Annotation[total];
            foreach (var o in objects)
                foreach (var sub in new[] { "rgb", "mask", "mask_visib", options.WriteDepth ? "depth" : null })
                    if (sub != null) Directory.CreateDirectory(Path.Combine(SceneDir(root, o.ObjId), sub));
            int done = 0;
            Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads) },
                () => new Worker(options),
                (j, _, worker) =>
                {
                    var o = objects[j / n];
                    ann[j] = worker.RenderImage(o, pool, j % n, SceneDir(root, o.ObjId));
                    int d = Interlocked.Increment(ref done);
                    progress?.Invoke(d, total);
                    return worker;
                },
                _ => { });
            bytes += ann.Sum(a => a.Bytes);

            for (int s = 0; s < objects.Count; s++)
            {
                var o = objects[s];
                var sceneAnn = ann.AsSpan(s * n, n).ToArray();
                bytes += WriteSceneJson(root, o, sceneAnn, options);
                var (trainIdx, testIdx) = Split(n, options.TrainFraction, options.Seed, o.ObjId);
                train += trainIdx.Count;
                bytes += WriteList(Path.Combine(root, $"{o.ObjId:D6}_train.txt"), o.ObjId, trainIdx);
                bytes += WriteList(Path.Combine(root, $"{o.ObjId:D6}_test.txt"), o.ObjId, testIdx);
                string cfg = Path.Combine(root, $"{o.ObjId:D6}_{o.Name}.yaml");
                bytes += WriteText(cfg, YamlConfig(o, objects, ann, n, options));
                configs.Add(Path.Combine(final, Path.GetFileName(cfg)));
            }
            if (Directory.Exists(final)) Directory.Delete(final);
            Directory.Move(root, final);
        }
        catch
        {
            try { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
        return new SynthSummary
        {
            Root = final,
            Objects = objects.Select(o => (o.ObjId, o.Name)).ToList(),
            Images = total,
            TrainImages = train,
            Bytes = bytes,
            Seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds,
            Configs = configs,
        };
    }

    /// <summary>The deterministic train/test split of one object's images: a seeded shuffle, first ⌈frac·n⌉ (≥ 1 when n ≥ 2) to train.</summary>
    public static (List<int> Train, List<int> Test) Split(int n, double trainFraction, int seed, int objId)
    {
        var idx = Enumerable.Range(0, n).ToArray();
        new Random(Mix(seed, objId, -1)).Shuffle(idx);
        int nTrain = (int)Math.Round(n * trainFraction);
        if (n >= 2) nTrain = Math.Clamp(nTrain, 1, n - 1);
        var tr = idx.Take(nTrain).Order().ToList();
        var te = idx.Skip(nTrain).Order().ToList();
        return (tr, te);
    }

    /// <summary>Largest accepted image side, px.</summary>
    public const int MaxImageSide = 16384;

    /// <summary>Working memory per rendering thread, bytes per pixel (z-buffer, ids, colour, masks, depth, PNG encoding).</summary>
    internal const long BytesPerPixelPerThread = 48;

    /// <summary>
    /// Checks every option before anything is written: counts and sizes in range, every number finite, K a
    /// pinhole camera (fx, fy &gt; 0, row 3 = 0 0 1), the distance range positive and ordered, and the memory
    /// the renderer needs (<see cref="BytesPerPixelPerThread"/> × pixels × threads) below what the process may use.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and the accepted range.</exception>
    public static void Validate(SynthOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var ci = CultureInfo.InvariantCulture;
        if (string.IsNullOrWhiteSpace(o.OutputDir)) throw new ArgumentException("the output folder is empty");
        if (o.ImagesPerObject < 1 || o.ImagesPerObject > 1_000_000) throw new ArgumentException($"images per object must be in [1, 1000000], got {o.ImagesPerObject}");
        if (o.Width < 16 || o.Height < 16 || o.Width > MaxImageSide || o.Height > MaxImageSide)
            throw new ArgumentException($"image size {o.Width}×{o.Height} is out of range: each side must be in [16, {MaxImageSide}] px");
        if (o.Threads < 1) throw new ArgumentException($"threads must be ≥ 1, got {o.Threads}");
        long pixels = (long)o.Width * o.Height;
        int threads = Math.Min(o.Threads, Math.Max(1, o.ImagesPerObject * Math.Max(1, o.Objects.Count + o.PlyFiles.Count)));
        long need = pixels * BytesPerPixelPerThread * threads;
        long avail = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (avail > 0 && need > avail)
            throw new ArgumentException(string.Create(ci,
                $"image size {o.Width}×{o.Height} with {threads} rendering thread(s) needs about {need / 1e9:F1} GB, but this process may use {avail / 1e9:F1} GB; use fewer threads or smaller images"));
        if (o.K is not { Length: 9 }) throw new ArgumentException($"K must have 9 numbers (row-major 3×3), got {o.K?.Length ?? 0}");
        if (o.K.Any(v => !double.IsFinite(v))) throw new ArgumentException($"K must be finite, got [{string.Join(", ", o.K.Select(v => v.ToString(ci)))}]");
        if (!(o.K[0] > 0 && o.K[4] > 0)) throw new ArgumentException(string.Create(ci, $"K must have positive focal lengths, got fx = {o.K[0]}, fy = {o.K[4]}"));
        if (o.K[3] != 0 || o.K[6] != 0 || o.K[7] != 0 || o.K[8] != 1)
            throw new ArgumentException("K must be [fx, s, cx, 0, fy, cy, 0, 0, 1] (a pinhole camera)");
        if (!(o.TrainFraction >= 0 && o.TrainFraction <= 1)) throw new ArgumentException(string.Create(ci, $"train fraction must be in [0, 1], got {o.TrainFraction}"));
        if (!(double.IsFinite(o.MinDistanceMm) && double.IsFinite(o.MaxDistanceMm) && o.MinDistanceMm > 0 && o.MaxDistanceMm >= o.MinDistanceMm && o.MaxDistanceMm <= 1e6))
            throw new ArgumentException(string.Create(ci, $"distance range [{o.MinDistanceMm}, {o.MaxDistanceMm}] mm is invalid: need 0 < min ≤ max ≤ 1e6, both finite"));
        if (!(o.InPlaneRotationDeg >= 0 && o.InPlaneRotationDeg <= 180)) throw new ArgumentException(string.Create(ci, $"in-plane rotation range must be in [0, 180] deg, got {o.InPlaneRotationDeg}"));
        if (!(o.MinElevationDeg >= 0 && o.MinElevationDeg < 90)) throw new ArgumentException(string.Create(ci, $"minimum elevation must be in [0, 90) deg, got {o.MinElevationDeg}"));
        if (o.MaxDistractors < 0 || o.MaxDistractors > 100) throw new ArgumentException($"distractors must be in [0, 100], got {o.MaxDistractors}");
        if (!(o.OcclusionProbability >= 0 && o.OcclusionProbability <= 1)) throw new ArgumentException(string.Create(ci, $"occlusion probability must be in [0, 1], got {o.OcclusionProbability}"));
        if (!(o.MinVisibleFraction >= 0 && o.MinVisibleFraction < 1)) throw new ArgumentException(string.Create(ci, $"minimum visible fraction must be in [0, 1), got {o.MinVisibleFraction}"));
        if (o.Objects.Count + o.PlyFiles.Count == 0) throw new ArgumentException("no objects to render (give built-in names or PLY files)");
        if (o.Objects.Count + o.PlyFiles.Count > 250) throw new ArgumentException("at most 250 objects");
        foreach (var name in o.Objects)
            if (!BuiltInObjects.Names.Contains(name))
                throw new ArgumentException($"unknown built-in object '{name}'; known: {string.Join(", ", BuiltInObjects.Names)}");
        foreach (var ply in o.PlyFiles)
        {
            if (Directory.Exists(ply)) throw new ArgumentException($"--ply {ply} is a folder; expected a PLY file");
            if (!File.Exists(ply)) throw new FileNotFoundException($"PLY file not found: {ply}", ply);
        }
        if (o.BackgroundDir != null && !Directory.Exists(o.BackgroundDir))
            throw new DirectoryNotFoundException(File.Exists(o.BackgroundDir) ? $"backgrounds must be a folder of images, {o.BackgroundDir} is a file" : $"background folder not found: {o.BackgroundDir}");
    }

    private static List<SynthObject> LoadObjects(SynthOptions o)
    {
        var list = new List<SynthObject>();
        foreach (var name in o.Objects)
        {
            var m = BuiltInObjects.Create(name);
            list.Add(new SynthObject(list.Count + 1, name, m, new RenderMesh(m), BuiltInObjects.DiscreteSymmetries(name), BuiltInObjects.SymmetryType(name)));
        }
        foreach (var ply in o.PlyFiles)
        {
            var m = PlyReader.Read(ply);
            if (m.TriangleCount == 0) throw new PlyFormatException(ply, "element 'face'", "expected a triangle mesh to render, found no faces");
            var (mn, mx) = MeshGeometry.BoundingBox(m.Vertices);
            if (mx[0] - mn[0] <= 0 && mx[1] - mn[1] <= 0 && mx[2] - mn[2] <= 0 || MeshGeometry.Diameter(m.Vertices) <= 0)
                throw new PlyFormatException(ply, "vertices", "expected a mesh with extent (all vertices coincide)");
            string name = new string(Path.GetFileNameWithoutExtension(ply).Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray());
            list.Add(new SynthObject(list.Count + 1, name, m, new RenderMesh(m), [], null));
        }
        return list;
    }

    private static long WriteModels(string root, List<SynthObject> objects)
    {
        long bytes = 0;
        var infos = new SortedDictionary<int, ModelInfo>();
        var box = new StringBuilder("[\n");
        foreach (var o in objects)
        {
            string ply = Path.Combine(root, "models", $"obj_{o.ObjId:D6}.ply");
            PlyWriter.Write(ply, o.Mesh);
            bytes += new FileInfo(ply).Length;
            var info = ModelInfo.FromMesh(o.Mesh);
            foreach (var s in o.Symmetries) info.SymmetriesDiscrete.Add(s);
            infos[o.ObjId] = info;
            var c = MeshGeometry.BoxCorners(o.Mesh.Vertices);
            box.Append("    [\n");
            for (int i = 0; i < 8; i++)
                box.Append("        [").Append(Real(c[3 * i])).Append(", ").Append(Real(c[3 * i + 1])).Append(", ").Append(Real(c[3 * i + 2]))
                   .Append(i < 7 ? "],\n" : "]\n");
            box.Append(o.ObjId == objects[^1].ObjId ? "    ]\n" : "    ],\n");
        }
        box.Append("]\n");
        string infoPath = Path.Combine(root, "models", "models_info.json");
        ModelsInfo.Write(infoPath, infos);
        bytes += new FileInfo(infoPath).Length;
        bytes += WriteText(Path.Combine(root, "linemod_bbox.json"), box.ToString());
        return bytes;
    }

    private static List<RenderMesh> DistractorPool(int seed)
    {
        var rng = new Random(Mix(seed, -7, -7));
        var pool = new List<RenderMesh>();
        for (int k = 0; k < 10; k++)
        {
            var b = new MeshBuilder();
            byte r = (byte)rng.Next(256), g = (byte)rng.Next(256), bl = (byte)rng.Next(256);
            byte r2 = (byte)rng.Next(256), g2 = (byte)rng.Next(256), b2 = (byte)rng.Next(256);
            double period = 10 + rng.NextDouble() * 20;
            MeshBuilder.ColorFunc col = (x, y, z, nx, ny, nz) =>
                ((int)Math.Floor((x + y + z) / period) & 1) == 0 ? (r, g, bl) : (r2, g2, b2);
            if (k % 2 == 0) b.Box(0, 0, 0, 30 + rng.NextDouble() * 80, 30 + rng.NextDouble() * 80, 30 + rng.NextDouble() * 80, 12, col);
            else b.Cylinder(0, 0, -20 - rng.NextDouble() * 40, 20 + rng.NextDouble() * 40, 15 + rng.NextDouble() * 30, 16, 3, col);
            pool.Add(new RenderMesh(b.Build()));
        }
        return pool;
    }

    internal static string SceneDir(string root, int objId) => Path.Combine(root, "real", objId.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>Deterministic 31-bit seed from three integers (SplitMix64 finaliser).</summary>
    internal static int Mix(int a, int b, int c)
    {
        ulong z = (ulong)(uint)a * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)b * 0xC2B2AE3D27D4EB4FUL ^ (ulong)(uint)c * 0x165667B19E3779F9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    internal static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// A JSON number that always reads back as a float (<c>-60.0</c>, not <c>-60</c>): the reference turns the box
    /// file into a numpy array and hands it to <c>cv2.solvePnP</c>, which rejects integer arrays.
    /// </summary>
    internal static string Real(double v)
    {
        string s = F(v);
        return s.Contains('.') || s.Contains('E') || s.Contains('e') ? s : s + ".0";
    }

    private static long WriteText(string path, string text)
    {
        var b = Encoding.UTF8.GetBytes(text);
        File.WriteAllBytes(path, b);
        return b.Length;
    }

    private static long WriteList(string path, int objId, List<int> idx)
    {
        var sb = new StringBuilder();
        foreach (int i in idx) sb.Append($"real/{objId:D6}/rgb/{i:D6}.png\n");
        return WriteText(path, sb.ToString());
    }

    private static long WriteSceneJson(string root, SynthObject o, Annotation[] ann, SynthOptions opt)
    {
        string dir = SceneDir(root, o.ObjId);
        var cam = new StringBuilder("{\n");
        var gt = new StringBuilder("{\n");
        var info = new StringBuilder("{\n");
        string k = string.Join(", ", opt.K.Select(F));
        for (int i = 0; i < ann.Length; i++)
        {
            var a = ann[i];
            string sep = i < ann.Length - 1 ? ",\n" : "\n";
            cam.Append($"  \"{i}\": {{\"cam_K\": [{k}], \"depth_scale\": 1.0}}{sep}");
            gt.Append($"  \"{i}\": [{{\"cam_R_m2c\": [{string.Join(", ", a.R.Select(F))}], \"cam_t_m2c\": [{string.Join(", ", a.T.Select(F))}], \"obj_id\": {o.ObjId}}}]{sep}");
            double frac = a.PxAll > 0 ? (double)a.PxVisib / a.PxAll : 0;
            info.Append($"  \"{i}\": [{{\"bbox_obj\": [{string.Join(", ", a.BboxObj)}], \"bbox_visib\": [{string.Join(", ", a.BboxVisib)}], " +
                        $"\"px_count_all\": {a.PxAll}, \"px_count_valid\": {a.PxAll}, \"px_count_visib\": {a.PxVisib}, \"visib_fract\": {F(frac)}}}]{sep}");
        }
        cam.Append("}\n"); gt.Append("}\n"); info.Append("}\n");
        return WriteText(Path.Combine(dir, "scene_camera.json"), cam.ToString())
             + WriteText(Path.Combine(dir, "scene_gt.json"), gt.ToString())
             + WriteText(Path.Combine(dir, "scene_gt_info.json"), info.ToString());
    }

    private static string YamlConfig(SynthObject target, List<SynthObject> objects, Annotation[] ann, int n, SynthOptions opt)
    {
        var inv = CultureInfo.InvariantCulture;
        string cls = target.ObjId.ToString("D6", inv);
        var sb = new StringBuilder();
        sb.Append($"# PoseKD synthetic dataset config for object {target.ObjId} ({target.Name}), in the reference's configs/ape.yaml format.\n");
        sb.Append("# Paths are relative to the dataset root (the folder of this file).\n");
        sb.Append("MODEL:\n  BACKBONE: 'darknet_tiny_h'\n  ANCHOR_SIZES: [32, 64, 128, 256, 512]\n  ANCHOR_STRIDES: [8, 16, 32, 64, 128]\n");
        sb.Append("DATASETS:\n");
        sb.Append($"  TRAIN: './{cls}_train.txt'\n  VALID: './{cls}_test.txt'\n  TEST: './{cls}_test.txt'\n");
        sb.Append("  MESH_DIR: './models/'\n  BBOX_FILE: './linemod_bbox.json'\n");
        sb.Append("  MESH_DIAMETERS: [").Append(string.Join(",", objects.Select(o => Math.Round(ModelInfo.FromMesh(o.Mesh).Diameter, 2).ToString(inv)))).Append("]\n");
        sb.Append("  SYMMETRY_TYPES: { # class IDs start from 0\n");
        var sym = objects.Select((o, i) => (o, i)).Where(p => p.o.SymmetryType != null).ToList();
        for (int j = 0; j < sym.Count; j++)
        {
            var parts = sym[j].o.SymmetryType!.Select(v => v is string s ? $"'{s}'" : Convert.ToString(v, inv));
            sb.Append($"    \"cls_{sym[j].i}\":[{string.Join(",", parts)}]{(j < sym.Count - 1 ? "," : "")}\n");
        }
        sb.Append("  }\n");
        sb.Append($"  N_CLASS: {objects.Count + 1}\n");
        sb.Append("INPUT:\n");
        sb.Append($"  INTERNAL_WIDTH: {opt.Width}\n  INTERNAL_HEIGHT: {opt.Height}\n");
        sb.Append("  INTERNAL_K: [").Append(string.Join(", ", opt.K.Select(v => v.ToString(inv)))).Append("]\n");
        var minT = new List<string>(); var maxT = new List<string>();
        for (int s = 0; s < objects.Count; s++)
        {
            var ts = ann.Skip(s * n).Take(n).Select(a => a.T).ToList();
            minT.Add("[" + string.Join(", ", Enumerable.Range(0, 3).Select(c => Math.Round(ts.Min(t => t[c]), 4).ToString(inv))) + "]");
            maxT.Add("[" + string.Join(", ", Enumerable.Range(0, 3).Select(c => Math.Round(ts.Max(t => t[c]), 4).ToString(inv))) + "]");
        }
        sb.Append("  minT: [").Append(string.Join(", ", minT)).Append("]\n");
        sb.Append("  maxT: [").Append(string.Join(", ", maxT)).Append("]\n");
        sb.Append("SOLVER:\n  IMS_PER_BATCH: 16\n  VAL_FREQ: 500\n  BASE_LR: 0.001\n  MAX_ITER: 10000\n");
        sb.Append("  LOSS_WEIGHT_CLS: 0.1\n  LOSS_WEIGHT_REG: 1\n  LOSS_REG_TYPE: '3D'\n  POSITIVE_TYPE: 'SSC'\n  POSITIVE_LAMBDA: 1.0\n  REGRESSION_TYPE: 'POINT'\n");
        sb.Append("  AUGMENTATION_SHIFT: 0.05\n  AUGMENTATION_SCALE: 0.05\n  AUGMENTATION_ROTATION: 10\n");
        sb.Append("  AUGMENTATION_ColorH: 0\n  AUGMENTATION_ColorS: 0\n  AUGMENTATION_ColorV: 0\n  AUGMENTATION_Sharpen: 0\n  AUGMENTATION_Smooth: 0\n  AUGMENTATION_Noise: 0\n");
        sb.Append("TEST:\n  IMS_PER_BATCH: 8\n  CONFIDENCE_TH: 0.1\n");
        sb.Append("KD:\n  LOSS_WEIGHT_KD: [1., 1., 1., 1.]\n");
        return sb.ToString();
    }

    /// <summary>Per-thread renderer state: buffers reused across images.</summary>
    private sealed class Worker(SynthOptions opt)
    {
        private readonly Rasterizer _r = new(opt.Width, opt.Height);
        private readonly byte[] _bg = new byte[opt.Width * opt.Height * 3];
        private readonly byte[] _full = new byte[opt.Width * opt.Height];
        private readonly string[] _backgrounds = opt.BackgroundDir == null ? [] :
            Directory.EnumerateFiles(opt.BackgroundDir)
                .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToArray();

        public Annotation RenderImage(SynthObject o, List<RenderMesh> pool, int index, string sceneDir)
        {
            var rng = new Random(Mix(opt.Seed, o.ObjId, index));
            int w = opt.Width, h = opt.Height;
            if (_backgrounds.Length > 0) Backgrounds.FromImage(ImageFile.Read(_backgrounds[rng.Next(_backgrounds.Length)]), _bg, w, h);
            else Backgrounds.Procedural(rng, _bg, w, h);
            var a = new Annotation();
            var (px, py) = SamplePose(rng, o.Render.RadiusMm, a.R, a.T);
            double[] light = RandomLight(rng);
            double ambient = 0.3 + 0.2 * rng.NextDouble(), diffuse = 0.5 + 0.3 * rng.NextDouble();
            double radiusPx = opt.K[0] * o.Render.RadiusMm / a.T[2];

            for (int attempt = 0; ; attempt++)
            {
                _r.Reset(_bg);
                _r.Draw(o.Render, a.R, a.T, opt.K, light, ambient, diffuse, 1);
                for (int i = 0; i < _full.Length; i++) _full[i] = _r.Label[i];
                if (attempt < 3)
                {
                    int count = rng.Next(opt.MaxDistractors + 1);
                    bool occlude = count > 0 && rng.NextDouble() < opt.OcclusionProbability;
                    for (int d = 0; d < count; d++)
                    {
                        var mesh = pool[rng.Next(pool.Count)];
                        double scale = 0.7 + 0.6 * rng.NextDouble();
                        var rd = RandomRotation(rng);
                        double u, v, z;
                        if (d == 0 && occlude)
                        {
                            double ang = rng.NextDouble() * 2 * Math.PI, off = (0.3 + 0.6 * rng.NextDouble()) * radiusPx;
                            u = px + off * Math.Cos(ang); v = py + off * Math.Sin(ang);
                            z = Math.Max(200, a.T[2] - 100 - 150 * rng.NextDouble());
                        }
                        else
                        {
                            u = rng.NextDouble() * w; v = rng.NextDouble() * h;
                            z = a.T[2] - 50 + 450 * rng.NextDouble();
                        }
                        double[] td = RayPoint(u, v, z);
                        _r.Draw(mesh, rd, td, opt.K, light, ambient, diffuse, (byte)(2 + d), scale);
                    }
                }
                int all = 0, vis = 0;
                for (int i = 0; i < _full.Length; i++) { if (_full[i] == 1) all++; if (_r.Label[i] == 1) vis++; }
                if (attempt >= 3 || all == 0 || vis >= opt.MinVisibleFraction * all) break;
            }
            return Write(a, index, sceneDir);
        }

        private Annotation Write(Annotation a, int index, string sceneDir)
        {
            int w = opt.Width, h = opt.Height, n = w * h;
            var full = new Image8(w, h, 1);
            var visib = new Image8(w, h, 1);
            for (int i = 0; i < n; i++)
            {
                if (_full[i] == 1) full.Data[i] = 255;
                if (_r.Label[i] == 1) visib.Data[i] = 255;
            }
            a.PxAll = Count(full.Data); a.PxVisib = Count(visib.Data);
            a.BboxObj = Bbox(full.Data, w, h); a.BboxVisib = Bbox(visib.Data, w, h);
            string name = index.ToString("D6", CultureInfo.InvariantCulture);
            a.Bytes += Save(Path.Combine(sceneDir, "rgb", name + ".png"), PngEncoder.Encode(new Image8(w, h, 3, (byte[])_r.Color.Clone())));
            a.Bytes += Save(Path.Combine(sceneDir, "mask", name + "_000000.png"), PngEncoder.Encode(full));
            a.Bytes += Save(Path.Combine(sceneDir, "mask_visib", name + "_000000.png"), PngEncoder.Encode(visib));
            if (opt.WriteDepth)
            {
                var depth = new Image16(w, h, 1);
                for (int i = 0; i < n; i++)
                {
                    float z = _r.Depth[i];
                    depth.Data[i] = float.IsFinite(z) ? (ushort)Math.Clamp(MathF.Round(z), 0, 65535) : (ushort)0;
                }
                a.Bytes += Save(Path.Combine(sceneDir, "depth", name + ".png"), PngEncoder.Encode16(depth));
            }
            return a;
        }

        private static long Save(string path, byte[] bytes)
        {
            File.WriteAllBytes(path, bytes);
            return bytes.Length;
        }

        private static int Count(byte[] m)
        {
            int c = 0;
            foreach (byte b in m) if (b != 0) c++;
            return c;
        }

        private static int[] Bbox(byte[] m, int w, int h)
        {
            int x0 = w, y0 = h, x1 = -1, y1 = -1;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (m[y * w + x] != 0) { x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y); }
            return x1 < 0 ? [-1, -1, -1, -1] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
        }

        private double[] RayPoint(double u, double v, double z)
        {
            var k = opt.K;
            double y = (v - k[5]) / k[4];
            double x = (u - k[2] - k[1] * y) / k[0];
            return [x * z, y * z, z];
        }

        /// <summary>
        /// A view from the upper hemisphere (elevation with sin uniform in [sin(min), 1], azimuth uniform), looking at
        /// the model origin, then an in-plane rotation; the origin projects to a random pixel away from the border.
        /// Returns that pixel.
        /// </summary>
        private (double U, double V) SamplePose(Random rng, double radiusMm, double[] r, double[] t)
        {
            double sinMin = Math.Sin(opt.MinElevationDeg * Math.PI / 180);
            double el = Math.Asin(sinMin + (1 - sinMin) * rng.NextDouble()), az = 2 * Math.PI * rng.NextDouble();
            double[] c = [Math.Cos(el) * Math.Cos(az), Math.Cos(el) * Math.Sin(az), Math.Sin(el)];
            double[] f = [-c[0], -c[1], -c[2]];
            double[] up = Math.Abs(f[2]) > 0.999 ? [0, 1, 0] : [0, 0, 1];
            double dot = up[0] * f[0] + up[1] * f[1] + up[2] * f[2];
            double[] down = [-(up[0] - dot * f[0]), -(up[1] - dot * f[1]), -(up[2] - dot * f[2])];
            Normalize(down);
            double[] right = [down[1] * f[2] - down[2] * f[1], down[2] * f[0] - down[0] * f[2], down[0] * f[1] - down[1] * f[0]];
            double th = (2 * rng.NextDouble() - 1) * opt.InPlaneRotationDeg * Math.PI / 180, cs = Math.Cos(th), sn = Math.Sin(th);
            for (int j = 0; j < 3; j++)
            {
                r[j] = cs * right[j] - sn * down[j];
                r[3 + j] = sn * right[j] + cs * down[j];
                r[6 + j] = f[j];
            }
            double z = opt.MinDistanceMm + (opt.MaxDistanceMm - opt.MinDistanceMm) * rng.NextDouble();
            double rpx = opt.K[0] * radiusMm / z;
            double mx = Math.Min(0.45 * opt.Width, Math.Max(0.1 * opt.Width, 0.8 * rpx)), my = Math.Min(0.45 * opt.Height, Math.Max(0.1 * opt.Height, 0.8 * rpx));
            double u = mx + (opt.Width - 2 * mx) * rng.NextDouble(), v = my + (opt.Height - 2 * my) * rng.NextDouble();
            var p = RayPoint(u, v, z);
            t[0] = p[0]; t[1] = p[1]; t[2] = p[2];
            return (u, v);
        }

        private static double[] RandomLight(Random rng)
        {
            double[] l = [2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, -(0.3 + 1.2 * rng.NextDouble())];
            Normalize(l);
            return l;
        }

        private static double[] RandomRotation(Random rng)
        {
            // uniform random unit quaternion (Shoemake)
            double u1 = rng.NextDouble(), u2 = rng.NextDouble() * 2 * Math.PI, u3 = rng.NextDouble() * 2 * Math.PI;
            double a = Math.Sqrt(1 - u1), b = Math.Sqrt(u1);
            double qw = a * Math.Sin(u2), qx = a * Math.Cos(u2), qy = b * Math.Sin(u3), qz = b * Math.Cos(u3);
            return
            [
                1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw),
                2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw),
                2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy),
            ];
        }

        private static void Normalize(double[] v)
        {
            double n = Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            v[0] /= n; v[1] /= n; v[2] /= n;
        }
    }
}
