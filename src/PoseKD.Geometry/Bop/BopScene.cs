using System.Globalization;
using System.Text.Json;
using PoseKD.Geometry.Rotations;

namespace PoseKD.Geometry.Bop;

/// <summary>
/// The annotations of one BOP scene folder: <c>scene_gt.json</c> (per image: cam_R_m2c, cam_t_m2c, obj_id),
/// <c>scene_camera.json</c> (per image: cam_K) and, when present, <c>scene_gt_info.json</c> (visib_fract).
/// Image keys are <c>str(int(name))</c> as in BOP. Read strictly (<see cref="BopJson"/>): a repeated or
/// ambiguous key, a non-integer id, a non-finite number, a ground-truth rotation that is not a rotation
/// (tolerance <see cref="RotationMath.AnnotationTolerance"/>) or a camera without positive focal lengths is
/// an error naming the file and the field.
/// </summary>
public sealed class BopScene
{
    /// <summary>Largest accepted |t| component of a pose, mm (10⁹ mm = 1000 km; larger values are corrupt data).</summary>
    public const double MaxTranslationMm = 1e9;

    /// <summary>Scene id (the folder name as an integer).</summary>
    public int SceneId { get; }

    /// <summary>Ground truth per image id.</summary>
    public IReadOnlyDictionary<int, List<BopGtInstance>> Gt { get; }

    /// <summary>Camera matrix K [9] per image id.</summary>
    public IReadOnlyDictionary<int, double[]> Cameras { get; }

    private BopScene(int sceneId, Dictionary<int, List<BopGtInstance>> gt, Dictionary<int, double[]> cams)
    {
        SceneId = sceneId; Gt = gt; Cameras = cams;
    }

    /// <summary>Reads the scene folder <paramref name="sceneDir"/> with id <paramref name="sceneId"/>.</summary>
    /// <exception cref="BopFormatException">A json file is malformed.</exception>
    /// <exception cref="FileNotFoundException">scene_gt.json or scene_camera.json is missing.</exception>
    public static BopScene Read(string sceneDir, int sceneId)
    {
        ArgumentNullException.ThrowIfNull(sceneDir);
        string gtPath = Path.Combine(sceneDir, "scene_gt.json");
        string camPath = Path.Combine(sceneDir, "scene_camera.json");
        string infoPath = Path.Combine(sceneDir, "scene_gt_info.json");
        var gtRoot = BopJson.ParseObject(gtPath, "an object keyed by image id");
        var camRoot = BopJson.ParseObject(camPath, "an object keyed by image id");
        JsonElement? infoRoot = File.Exists(infoPath) ? BopJson.ParseObject(infoPath, "an object keyed by image id") : null;
        var infoKeys = infoRoot is { } ir ? BopJson.ImageKeys(infoPath, ir, requireIntegers: true) : null;
        var gt = new Dictionary<int, List<BopGtInstance>>();
        foreach (var (im, key) in BopJson.ImageKeys(gtPath, gtRoot, requireIntegers: true))
        {
            var node = gtRoot.GetProperty(key);
            if (node.ValueKind != JsonValueKind.Array) throw new BopFormatException(gtPath, key, $"expected a list of instances, found {BopJson.Show(node)}");
            JsonElement? infos = infoKeys != null && infoKeys.TryGetValue(im, out var ik) && infoRoot!.Value.GetProperty(ik) is { ValueKind: JsonValueKind.Array } ia ? ia : null;
            var list = new List<BopGtInstance>();
            int i = 0;
            foreach (var o in node.EnumerateArray())
            {
                string f = $"{key}[{i}]";
                if (o.ValueKind != JsonValueKind.Object) throw new BopFormatException(gtPath, f, $"expected an instance object, found {BopJson.Show(o)}");
                var r = BopJson.Numbers(gtPath, f, o, "cam_R_m2c", 9);
                var t = BopJson.Numbers(gtPath, f, o, "cam_t_m2c", 3);
                CheckPose(gtPath, f, r, t, RotationMath.AnnotationTolerance);
                if (!o.TryGetProperty("obj_id", out var ov)) throw new BopFormatException(gtPath, f + ".obj_id", "missing; expected an integer");
                int obj = BopJson.Int(gtPath, f + ".obj_id", ov);
                double? visib = null;
                if (infos is { } inf && i < inf.GetArrayLength() && inf[i] is { ValueKind: JsonValueKind.Object } io && io.TryGetProperty("visib_fract", out var vv))
                    visib = BopJson.Finite(infoPath, $"{key}[{i}].visib_fract", vv);
                list.Add(new BopGtInstance(obj, r, t, visib));
                i++;
            }
            gt[im] = list;
        }
        var cams = new Dictionary<int, double[]>();
        foreach (var (im, key) in BopJson.ImageKeys(camPath, camRoot, requireIntegers: true))
        {
            var k = BopJson.Numbers(camPath, key, camRoot.GetProperty(key), "cam_K", 9);
            CheckK(camPath, key + ".cam_K", k);
            cams[im] = k;
        }
        return new BopScene(sceneId, gt, cams);
    }

    /// <summary>Checks a pose read from <paramref name="path"/>: R a rotation within <paramref name="tolerance"/>, |t_i| ≤ <see cref="MaxTranslationMm"/>.</summary>
    internal static void CheckPose(string path, string field, double[] r, double[] t, double tolerance)
    {
        if (RotationMath.CheckRotation(r, tolerance) is { } why) throw new BopFormatException(path, field + ".cam_R_m2c", $"expected a rotation matrix: {why}");
        foreach (double v in t)
            if (!(Math.Abs(v) <= MaxTranslationMm))
                throw new BopFormatException(path, field + ".cam_t_m2c", string.Create(CultureInfo.InvariantCulture, $"expected a translation with |t_i| ≤ {MaxTranslationMm:G} mm, found {v:G}"));
    }

    /// <summary>Checks a camera matrix: fx, fy &gt; 0, last row (0, 0, 1).</summary>
    internal static void CheckK(string path, string field, double[] k)
    {
        if (!(k[0] > 0 && k[4] > 0))
            throw new BopFormatException(path, field, string.Create(CultureInfo.InvariantCulture, $"expected positive focal lengths, found fx = {k[0]}, fy = {k[4]}"));
        if (k[3] != 0 || k[6] != 0 || k[7] != 0 || k[8] != 1)
            throw new BopFormatException(path, field, string.Create(CultureInfo.InvariantCulture, $"expected [fx, s, cx, 0, fy, cy, 0, 0, 1], found row 2 = ({k[3]}, …) and row 3 = ({k[6]}, {k[7]}, {k[8]})"));
    }

    /// <summary>
    /// Reads <c>test_targets_bop19.json</c> (a list of {scene_id, im_id, obj_id, inst_count}); inst_count
    /// must be ≥ 1 and a (scene, image, object) may be listed only once.
    /// </summary>
    public static List<BopTarget> ReadTargets(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var root = BopJson.Parse(path);
        if (root.ValueKind != JsonValueKind.Array) throw new BopFormatException(path, "(document)", "expected a list of targets");
        var list = new List<BopTarget>();
        var seen = new Dictionary<(int, int, int), int>();
        int i = 0;
        foreach (var o in root.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Object) throw new BopFormatException(path, $"[{i}]", $"expected an object, found {BopJson.Show(o)}");
            int idx = i;
            int Get(string name) => o.TryGetProperty(name, out var v) ? BopJson.Int(path, $"[{idx}].{name}", v)
                : throw new BopFormatException(path, $"[{idx}].{name}", "missing; expected an integer");
            int inst = o.TryGetProperty("inst_count", out _) ? Get("inst_count") : 1;
            if (inst < 1) throw new BopFormatException(path, $"[{i}].inst_count", $"expected at least 1, found {inst}");
            var t = new BopTarget(Get("scene_id"), Get("im_id"), Get("obj_id"), inst);
            if (seen.TryGetValue((t.SceneId, t.ImId, t.ObjId), out int first))
                throw new BopFormatException(path, $"[{i}]", $"target (scene {t.SceneId}, image {t.ImId}, object {t.ObjId}) is listed twice, at [{first}] and [{i}]");
            seen[(t.SceneId, t.ImId, t.ObjId)] = i;
            list.Add(t);
            i++;
        }
        return list;
    }
}
