using System.Text.Json;
using PoseKD.Geometry;

namespace PoseKD.Data.Transforms;

/// <summary>
/// Boxes from a detector, BOP/COCO style: a JSON list of <c>{"scene_id", "image_id" (or "im_id"), "category_id"
/// (or "obj_id"), "bbox": [x, y, w, h], "score"}</c> in original-image pixels. Keeps the best-scoring box per
/// (scene, image, object).
/// </summary>
public sealed class Detections
{
    private readonly Dictionary<(int Scene, int Im, int Obj), (double Score, double[] Box)> _best = [];

    /// <summary>Reads a detections file.</summary>
    public static Detections Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"detections file not found: {path}", path);
        var d = new Detections();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            int i = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                int scene = e.GetProperty("scene_id").GetInt32();
                int im = (e.TryGetProperty("image_id", out var a) ? a : e.GetProperty("im_id")).GetInt32();
                int obj = (e.TryGetProperty("category_id", out var c) ? c : e.GetProperty("obj_id")).GetInt32();
                var bb = e.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                if (bb.Length != 4) throw new BopFormatException(path, $"[{i}].bbox", "expected [x, y, w, h]");
                double score = e.TryGetProperty("score", out var s) ? s.GetDouble() : 1;
                var key = (scene, im, obj);
                if (!d._best.TryGetValue(key, out var cur) || score > cur.Score) d._best[key] = (score, [bb[0], bb[1], bb[0] + bb[2], bb[1] + bb[3]]);
                i++;
            }
        }
        catch (JsonException e) { throw new BopFormatException(path, "(document)", $"invalid JSON: {e.Message}", e); }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            throw new BopFormatException(path, "(entry)", $"expected scene_id, image_id, category_id, bbox ({e.Message})", e);
        }
        return d;
    }

    /// <summary>The best box (x1, y1, x2, y2) for an object in an image, or null.</summary>
    public double[]? Box(int sceneId, int imId, int objId) => _best.TryGetValue((sceneId, imId, objId), out var v) ? v.Box : null;
}
