using System.Buffers.Binary;
using PoseKD.Geometry.Meshes;
using PoseKD.Geometry.Metrics;

namespace PoseKD.Geometry.Bop;

/// <summary>
/// Pose evaluation as the BOP toolkit does it for the BOP19 localisation task (Hodaň et al., "BOP
/// Challenge 2020 on 6D Object Localization", ECCVW 2020), without VSD: for each target (scene, image,
/// object, n instances) the n highest-scored estimates are compared with every ground-truth instance of
/// the object (ADD, ADI, MSSD, MSPD, rotation and translation errors, symmetries from models_info.json
/// with continuous ones discretised); estimates are matched greedily in decreasing score to the unmatched
/// valid instance with the smallest error below the threshold (valid = the n most visible instances);
/// recall = matches / targets. AR_MSSD averages the recall over e_MSSD/d &lt; 0.05…0.50, AR_MSPD over
/// e_MSPD·640/width &lt; 5…50 px; ADD(-S)@0.1d uses ADI for symmetric objects and ADD otherwise.
/// </summary>
public static class BopEvaluator
{
    private sealed record Model(double[] Points, ModelInfo Info, IReadOnlyList<RigidTransform> Symmetries);

    /// <summary>
    /// Evaluates <paramref name="results"/> against the dataset at <paramref name="datasetRoot"/>, split
    /// folder <paramref name="split"/> (relative to the root or absolute), targets from
    /// <paramref name="targetsPath"/> (null: <c>test_targets_bop19.json</c> in the root if present, else
    /// every ground-truth instance of every annotated image).
    /// </summary>
    public static BopEvaluation Evaluate(string datasetRoot, string split, IReadOnlyList<BopResult> results, string? targetsPath = null, BopEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(datasetRoot);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(results);
        options ??= new BopEvaluationOptions();
        if (options.ImageWidth is int iw && iw <= 0) throw new ArgumentException($"ImageWidth must be > 0 px, got {iw}", nameof(options));
        var notes = new List<string> { "VSD is not computed (it needs depth rendering); (AR_MSSD + AR_MSPD)/2 is not the official three-term BOP score." };
        string splitDir = Path.IsPathRooted(split) ? split : Path.Combine(datasetRoot, split);
        if (!Directory.Exists(splitDir)) throw new DirectoryNotFoundException($"split folder not found: {splitDir}");
        if (File.Exists(Path.Combine(splitDir, "scene_gt.json")) || File.Exists(Path.Combine(splitDir, "scene_camera.json")))
            throw new ArgumentException($"'{splitDir}' is a scene folder (it holds scene_gt.json / scene_camera.json); give the split folder that contains the scenes (e.g. {Path.GetDirectoryName(Path.GetFullPath(splitDir))})");
        string modelsDir = options.ModelsDir ?? (Directory.Exists(Path.Combine(datasetRoot, "models_eval")) ? Path.Combine(datasetRoot, "models_eval") : Path.Combine(datasetRoot, "models"));
        var infos = LoadModelsInfo(datasetRoot, modelsDir, notes);

        var scenes = new Dictionary<int, BopScene>();
        BopScene Scene(int id)
        {
            if (!scenes.TryGetValue(id, out var s)) scenes[id] = s = BopScene.Read(SceneDir(splitDir, id), id);
            return s;
        }

        List<BopTarget> targets;
        targetsPath ??= File.Exists(Path.Combine(datasetRoot, "test_targets_bop19.json")) ? Path.Combine(datasetRoot, "test_targets_bop19.json") : null;
        if (targetsPath != null) targets = BopScene.ReadTargets(targetsPath);
        else
        {
            notes.Add("no targets file: every ground-truth instance of every annotated image is a target");
            targets = [];
            foreach (var dir in Directory.GetDirectories(splitDir).OrderBy(d => d, StringComparer.Ordinal))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int sid)) continue;
                if (!File.Exists(Path.Combine(dir, "scene_gt.json")))
                    throw new FileNotFoundException($"scene {sid} has no ground truth: {Path.Combine(dir, "scene_gt.json")} is missing (every scene of the split is evaluated; remove the folder or pass a targets file)", Path.Combine(dir, "scene_gt.json"));
                foreach (var (im, gts) in Scene(sid).Gt.OrderBy(kv => kv.Key))
                    foreach (var g in gts.GroupBy(g => g.ObjId).OrderBy(g => g.Key))
                        targets.Add(new BopTarget(sid, im, g.Key, g.Count()));
            }
        }

        if (targets.Count == 0) throw new ArgumentException($"no targets to evaluate in {splitDir} (no scene folders with annotated images{(targetsPath != null ? $", and the targets file {targetsPath} is empty" : "")})");
        foreach (var r in results)
        {
            if (r.R is not { Length: 9 } || r.T is not { Length: 3 }) throw new ArgumentException($"estimate (scene {r.SceneId}, image {r.ImId}, object {r.ObjId}): R must be [9] and t [3]");
            if (!double.IsFinite(r.Score) || r.T.Any(v => !(Math.Abs(v) <= BopScene.MaxTranslationMm)))
                throw new ArgumentException($"estimate (scene {r.SceneId}, image {r.ImId}, object {r.ObjId}): score and t must be finite (|t_i| ≤ {BopScene.MaxTranslationMm:G} mm)");
            if (!options.CountInvalidRotationsAsFailed && Rotations.RotationMath.CheckRotation(r.R) is { } why)
                throw new ArgumentException($"estimate (scene {r.SceneId}, image {r.ImId}, object {r.ObjId}): R is not a rotation: {why}");
        }
        int invalidCounted = 0;
        var byImage = results.GroupBy(r => (r.SceneId, r.ImId, r.ObjId)).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Score).ToList());
        var models = new Dictionary<int, Model>();
        Model GetModel(int objId)
        {
            if (models.TryGetValue(objId, out var m)) return m;
            string ply = Path.Combine(modelsDir, $"obj_{objId:D6}.ply");
            if (!File.Exists(ply)) throw new FileNotFoundException($"model of object {objId} not found: {ply}", ply);
            var mesh = PlyReader.Read(ply);
            if (!infos.TryGetValue(objId, out var info))
            {
                info = ModelInfo.FromMesh(mesh);
                if (!(info.Diameter > 0)) throw new PlyFormatException(ply, "vertices", "expected a model with a diameter > 0 (all vertices coincide)");
                notes.Add($"object {objId}: not in models_info.json; diameter computed from the mesh ({info.Diameter:F3} mm), no symmetries");
            }
            models[objId] = m = new Model(mesh.Vertices, info, SymmetryTransforms.For(info, options.MaxSymDiscStep));
            return m;
        }

        int? cameraWidth = options.ImageWidth == null ? CameraJsonWidth(datasetRoot) : null;
        var widths = new Dictionary<int, int>();
        int Width(int sceneId)
        {
            if (options.ImageWidth is int w) return w;
            if (!widths.TryGetValue(sceneId, out w))
            {
                w = cameraWidth ?? PngWidth(SceneDir(splitDir, sceneId)) ?? 640;
                widths[sceneId] = w;
            }
            return w;
        }

        var errors = new List<BopEstimateError>();
        var perObj = new Dictionary<int, Counts>();
        int nMssd = options.MssdThresholds.Count, nMspd = options.MspdThresholdsPx.Count;
        bool widthNoted = false;
        foreach (var tg in targets.OrderBy(t => t.SceneId).ThenBy(t => t.ImId).ThenBy(t => t.ObjId))
        {
            var scene = Scene(tg.SceneId);
            if (!scene.Gt.TryGetValue(tg.ImId, out var imGt)) throw new BopFormatException(Path.Combine(SceneDir(splitDir, tg.SceneId), "scene_gt.json"), tg.ImId.ToString(), "target image has no ground truth");
            if (!scene.Cameras.TryGetValue(tg.ImId, out var k)) throw new BopFormatException(Path.Combine(SceneDir(splitDir, tg.SceneId), "scene_camera.json"), tg.ImId.ToString(), "target image has no camera");
            var gtIds = Enumerable.Range(0, imGt.Count).Where(g => imGt[g].ObjId == tg.ObjId).ToList();
            var valid = gtIds.OrderByDescending(g => imGt[g].VisibFract ?? 0).ThenBy(g => g).Take(tg.InstCount).ToHashSet();
            if (!perObj.TryGetValue(tg.ObjId, out var counts)) perObj[tg.ObjId] = counts = new Counts(nMssd, nMspd);
            counts.Targets += valid.Count;
            if (!byImage.TryGetValue((tg.SceneId, tg.ImId, tg.ObjId), out var ests) || gtIds.Count == 0) continue;
            var model = GetModel(tg.ObjId);
            int w = Width(tg.SceneId);
            if (options.ImageWidth == null && cameraWidth == null && !widthNoted && w == 640 && PngWidth(SceneDir(splitDir, tg.SceneId)) == null)
            {
                notes.Add("image width not found (no PNG in rgb/); MSPD scaled for 640 px");
                widthNoted = true;
            }
            double d = model.Info.Diameter, scale = 640.0 / w;
            var top = ests.Take(tg.InstCount).ToList();
            var failed = top.Select(e => options.CountInvalidRotationsAsFailed && Rotations.RotationMath.CheckRotation(e.R) != null).ToArray();
            invalidCounted += failed.Count(f => f);
            // errs[e][g] for the estimate of rank e and ground truth gtIds[g].
            var errs = new BopEstimateError[top.Count, gtIds.Count];
            for (int e = 0; e < top.Count; e++)
                for (int gi = 0; gi < gtIds.Count; gi++)
                {
                    var g = imGt[gtIds[gi]];
                    var est = top[e];
                    if (failed[e])
                    {
                        // Not a rotation: a failed estimate — it takes its rank and matches nothing.
                        errs[e, gi] = new BopEstimateError(tg.SceneId, tg.ImId, tg.ObjId, e, est.Score, gtIds[gi],
                            double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
                        errors.Add(errs[e, gi]);
                        continue;
                    }
                    double add = PoseErrors.Add(model.Points, g.R, g.T, est.R, est.T);
                    double adi = PoseErrors.Adi(model.Points, g.R, g.T, est.R, est.T);
                    var err = new BopEstimateError(tg.SceneId, tg.ImId, tg.ObjId, e, est.Score, gtIds[gi], add, adi,
                        model.Info.IsSymmetric ? adi : add,
                        PoseErrors.Mssd(model.Points, g.R, g.T, est.R, est.T, model.Symmetries),
                        PoseErrors.Mspd(model.Points, k, g.R, g.T, est.R, est.T, model.Symmetries),
                        PoseErrors.RotationErrorDeg(g.R, est.R), PoseErrors.TranslationError(g.T, est.T));
                    errs[e, gi] = err;
                    errors.Add(err);
                }
            counts.Add += Match(errs, gtIds, valid, x => x.Ad / d, options.AddThreshold);
            for (int i = 0; i < nMssd; i++) counts.Mssd[i] += Match(errs, gtIds, valid, x => x.Mssd / d, options.MssdThresholds[i]);
            for (int i = 0; i < nMspd; i++) counts.Mspd[i] += Match(errs, gtIds, valid, x => x.Mspd * scale, options.MspdThresholdsPx[i]);
        }
        if (options.CountInvalidRotationsAsFailed)
        {
            int invalidAll = results.Count(r => Rotations.RotationMath.CheckRotation(r.R) != null);
            notes.Add($"{invalidAll} estimate(s) are not rotations (max |R·Rᵀ − I| > {Rotations.RotationMath.EstimateTolerance:G} or det ≤ 0); {invalidCounted} of them were among the evaluated top-ranked estimates and counted as failed");
        }
        int targetKeys = targets.Select(t => (t.SceneId, t.ImId, t.ObjId)).Distinct().Count();
        int ignored = byImage.Keys.Count(key => !targets.Any(t => (t.SceneId, t.ImId, t.ObjId) == key));
        if (ignored > 0) notes.Add($"{ignored} (scene, image, object) groups of estimates are not targets and were ignored (of {targetKeys} targets)");

        var objects = perObj.OrderBy(kv => kv.Key).Select(kv => kv.Value.Scores(kv.Key)).ToList();
        var total = new Counts(nMssd, nMspd);
        foreach (var c in perObj.Values)
        {
            total.Targets += c.Targets; total.Add += c.Add;
            for (int i = 0; i < nMssd; i++) total.Mssd[i] += c.Mssd[i];
            for (int i = 0; i < nMspd; i++) total.Mspd[i] += c.Mspd[i];
        }
        return new BopEvaluation { Errors = errors, Objects = objects, Overall = total.Scores(-1), ModelsDir = modelsDir, Notes = notes };
    }

    /// <summary>Greedy matching (bop_toolkit <c>match_poses</c>): number of estimates matched with error &lt; threshold.</summary>
    private static int Match(BopEstimateError[,] errs, List<int> gtIds, HashSet<int> valid, Func<BopEstimateError, double> error, double threshold)
    {
        var matched = new HashSet<int>();
        int tp = 0;
        for (int e = 0; e < errs.GetLength(0); e++)
        {
            int best = -1;
            double bestErr = threshold;
            for (int gi = 0; gi < gtIds.Count; gi++)
            {
                int g = gtIds[gi];
                if (!valid.Contains(g) || matched.Contains(g)) continue;
                double v = error(errs[e, gi]);
                if (v < bestErr) { best = g; bestErr = v; }
            }
            if (best >= 0) { matched.Add(best); tp++; }
        }
        return tp;
    }

    private sealed class Counts(int nMssd, int nMspd)
    {
        public int Targets;
        public int Add;
        public readonly int[] Mssd = new int[nMssd];
        public readonly int[] Mspd = new int[nMspd];

        public BopObjectScores Scores(int objId)
        {
            double R(int tp) => Targets == 0 ? 0 : (double)tp / Targets;
            return new BopObjectScores(objId, Targets, R(Add), Mssd.Select(R).DefaultIfEmpty(0).Average(), Mspd.Select(R).DefaultIfEmpty(0).Average());
        }
    }

    private static SortedDictionary<int, ModelInfo> LoadModelsInfo(string root, string modelsDir, List<string> notes)
    {
        foreach (var dir in new[] { modelsDir, Path.Combine(root, "models_eval"), Path.Combine(root, "models") })
        {
            string p = Path.Combine(dir, "models_info.json");
            if (File.Exists(p)) return ModelsInfo.Read(p);
        }
        notes.Add("no models_info.json found: diameters computed from the meshes, no symmetries");
        return [];
    }

    private static string SceneDir(string splitDir, int sceneId)
    {
        string six = Path.Combine(splitDir, sceneId.ToString("D6"));
        return Directory.Exists(six) ? six : Path.Combine(splitDir, sceneId.ToString());
    }

    /// <summary>The <c>width</c> of <c>camera.json</c> in the dataset root (BOP's per-dataset camera file), or null when absent.</summary>
    internal static int? CameraJsonWidth(string datasetRoot)
    {
        string path = Path.Combine(datasetRoot, "camera.json");
        if (!File.Exists(path)) return null;
        var root = BopJson.ParseObject(path, "an object with the camera parameters (fx, fy, cx, cy, width, height)");
        if (!root.TryGetProperty("width", out var w)) return null;
        int width = BopJson.Int(path, "width", w);
        if (width <= 0) throw new BopFormatException(path, "width", $"expected an image width > 0 px, found {width}");
        return width;
    }

    /// <summary>
    /// Width of the first PNG in <c>rgb/</c> (or <c>gray/</c>) of a scene, from its IHDR chunk after checking
    /// the signature, the chunk length, the chunk's CRC and the sizes; null when the scene has no PNG.
    /// </summary>
    /// <exception cref="BopFormatException">The header is corrupt (then pass the image width explicitly).</exception>
    internal static int? PngWidth(string sceneDir)
    {
        Span<byte> head = stackalloc byte[33];
        foreach (var sub in new[] { "rgb", "gray" })
        {
            string dir = Path.Combine(sceneDir, sub);
            if (!Directory.Exists(dir)) continue;
            var png = Directory.EnumerateFiles(dir, "*.png").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault();
            if (png == null) continue;
            using var fs = File.OpenRead(png);
            int n = fs.ReadAtLeast(head, 33, throwOnEndOfStream: false);
            ReadOnlySpan<byte> sig = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];
            string fix = "; cannot take the MSPD image width from it (pass the width explicitly, or add camera.json to the dataset root)";
            if (n < 33 || !head[..8].SequenceEqual(sig)) throw new BopFormatException(png, "PNG signature", "expected a PNG file" + fix);
            if (BinaryPrimitives.ReadUInt32BigEndian(head[8..]) != 13 || !head.Slice(12, 4).SequenceEqual("IHDR"u8))
                throw new BopFormatException(png, "IHDR", "expected a 13-byte IHDR chunk first" + fix);
            if (Crc32(head.Slice(12, 17)) != BinaryPrimitives.ReadUInt32BigEndian(head[29..]))
                throw new BopFormatException(png, "IHDR", "CRC mismatch: the header is corrupt" + fix);
            int w = BinaryPrimitives.ReadInt32BigEndian(head[16..]), h = BinaryPrimitives.ReadInt32BigEndian(head[20..]);
            if (w <= 0 || h <= 0) throw new BopFormatException(png, "IHDR", $"expected width and height > 0, found {w}×{h}" + fix);
            return w;
        }
        return null;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xffffffffu;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xffffffffu;
    }
}
