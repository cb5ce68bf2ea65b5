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
        var notes = new List<string> { "VSD is not computed (it needs depth rendering); (AR_MSSD + AR_MSPD)/2 is not the official three-term BOP score." };
        string splitDir = Path.IsPathRooted(split) ? split : Path.Combine(datasetRoot, split);
        if (!Directory.Exists(splitDir)) throw new DirectoryNotFoundException($"split folder not found: {splitDir}");
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
                if (!int.TryParse(Path.GetFileName(dir), out int sid) || !File.Exists(Path.Combine(dir, "scene_gt.json"))) continue;
                foreach (var (im, gts) in Scene(sid).Gt.OrderBy(kv => kv.Key))
                    foreach (var g in gts.GroupBy(g => g.ObjId).OrderBy(g => g.Key))
                        targets.Add(new BopTarget(sid, im, g.Key, g.Count()));
            }
        }

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
                notes.Add($"object {objId}: not in models_info.json; diameter computed from the mesh ({info.Diameter:F3} mm), no symmetries");
            }
            models[objId] = m = new Model(mesh.Vertices, info, SymmetryTransforms.For(info, options.MaxSymDiscStep));
            return m;
        }

        var widths = new Dictionary<int, int>();
        int Width(int sceneId)
        {
            if (options.ImageWidth is int w) return w;
            if (!widths.TryGetValue(sceneId, out w))
            {
                w = PngWidth(SceneDir(splitDir, sceneId)) ?? 640;
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
            if (options.ImageWidth == null && !widthNoted && w == 640 && PngWidth(SceneDir(splitDir, tg.SceneId)) == null)
            {
                notes.Add("image width not found (no PNG in rgb/); MSPD scaled for 640 px");
                widthNoted = true;
            }
            double d = model.Info.Diameter, scale = 640.0 / w;
            var top = ests.Take(tg.InstCount).ToList();
            // errs[e][g] for the estimate of rank e and ground truth gtIds[g].
            var errs = new BopEstimateError[top.Count, gtIds.Count];
            for (int e = 0; e < top.Count; e++)
                for (int gi = 0; gi < gtIds.Count; gi++)
                {
                    var g = imGt[gtIds[gi]];
                    var est = top[e];
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

    /// <summary>Width of the first PNG in <c>rgb/</c> (or <c>gray/</c>) of a scene, from its IHDR chunk; null when none.</summary>
    internal static int? PngWidth(string sceneDir)
    {
        Span<byte> head = stackalloc byte[24];
        foreach (var sub in new[] { "rgb", "gray" })
        {
            string dir = Path.Combine(sceneDir, sub);
            if (!Directory.Exists(dir)) continue;
            var png = Directory.EnumerateFiles(dir, "*.png").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault();
            if (png == null) continue;
            using var fs = File.OpenRead(png);
            if (fs.Read(head) == 24 && head[0] == 0x89 && head[1] == (byte)'P' && head[12] == (byte)'I' && head[13] == (byte)'H')
                return BinaryPrimitives.ReadInt32BigEndian(head[16..]);
        }
        return null;
    }
}
