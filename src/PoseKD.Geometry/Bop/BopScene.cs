using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoseKD.Geometry.Bop;

/// <summary>
/// The annotations of one BOP scene folder: <c>scene_gt.json</c> (per image: cam_R_m2c, cam_t_m2c, obj_id),
/// <c>scene_camera.json</c> (per image: cam_K) and, when present, <c>scene_gt_info.json</c> (visib_fract).
/// Image keys are <c>str(int(name))</c> as in BOP.
/// </summary>
public sealed class BopScene
{
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
    public static BopScene Read(string sceneDir, int sceneId)
    {
        string gtPath = Path.Combine(sceneDir, "scene_gt.json");
        string camPath = Path.Combine(sceneDir, "scene_camera.json");
        string infoPath = Path.Combine(sceneDir, "scene_gt_info.json");
        var gtRoot = ParseObject(gtPath);
        var camRoot = ParseObject(camPath);
        JsonObject? infoRoot = File.Exists(infoPath) ? ParseObject(infoPath) : null;
        var gt = new Dictionary<int, List<BopGtInstance>>();
        foreach (var (key, node) in gtRoot)
        {
            int im = ImageKey(gtPath, key);
            if (node is not JsonArray arr) throw new BopFormatException(gtPath, key, "expected a list of instances");
            JsonArray? infos = infoRoot?[key] as JsonArray;
            var list = new List<BopGtInstance>();
            for (int i = 0; i < arr.Count; i++)
            {
                string f = $"{key}[{i}]";
                if (arr[i] is not JsonObject o) throw new BopFormatException(gtPath, f, "expected an object");
                var r = Meshes.ModelsInfo.NumArray(gtPath, o["cam_R_m2c"], f + ".cam_R_m2c", 9);
                var t = Meshes.ModelsInfo.NumArray(gtPath, o["cam_t_m2c"], f + ".cam_t_m2c", 3);
                if (o["obj_id"] is not JsonValue ov || !ov.TryGetValue(out int obj))
                    throw new BopFormatException(gtPath, f + ".obj_id", "expected an integer");
                double? visib = null;
                if (infos != null && i < infos.Count && infos[i]?["visib_fract"] is JsonValue vv && vv.TryGetValue(out double vf)) visib = vf;
                list.Add(new BopGtInstance(obj, r, t, visib));
            }
            gt[im] = list;
        }
        var cams = new Dictionary<int, double[]>();
        foreach (var (key, node) in camRoot)
        {
            int im = ImageKey(camPath, key);
            if (node is not JsonObject o) throw new BopFormatException(camPath, key, "expected an object with cam_K");
            cams[im] = Meshes.ModelsInfo.NumArray(camPath, o["cam_K"], key + ".cam_K", 9);
        }
        return new BopScene(sceneId, gt, cams);
    }

    /// <summary>Reads <c>test_targets_bop19.json</c> (a list of {scene_id, im_id, obj_id, inst_count}).</summary>
    public static List<BopTarget> ReadTargets(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new BopFormatException(path, "(document)", $"invalid JSON: {e.Message}", e); }
        if (root is not JsonArray arr) throw new BopFormatException(path, "(document)", "expected a list of targets");
        var list = new List<BopTarget>();
        for (int i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonObject o) throw new BopFormatException(path, $"[{i}]", "expected an object");
            int Get(string name) => o[name] is JsonValue v && v.TryGetValue(out int x) ? x
                : throw new BopFormatException(path, $"[{i}].{name}", "expected an integer");
            list.Add(new BopTarget(Get("scene_id"), Get("im_id"), Get("obj_id"), o.ContainsKey("inst_count") ? Get("inst_count") : 1));
        }
        return list;
    }

    private static JsonObject ParseObject(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"BOP annotation file not found: {path}", path);
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new BopFormatException(path, "(document)", $"invalid JSON: {e.Message}", e); }
        return root as JsonObject ?? throw new BopFormatException(path, "(document)", "expected an object keyed by image id");
    }

    private static int ImageKey(string path, string key) =>
        int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int im) ? im
            : throw new BopFormatException(path, key, "expected an integer image id as key");
}
