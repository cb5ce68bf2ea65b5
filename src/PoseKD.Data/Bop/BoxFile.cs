using System.Text.Json;
using PoseKD.Geometry;
using PoseKD.Geometry.Bop;

namespace PoseKD.Data.Bop;

/// <summary>
/// The 3D-box file (<c>linemod_bbox.json</c>): a JSON list, per class id, of the 8 corners [x, y, z] (mm) of
/// the model's axis-aligned box, corner index = 4·bx + 2·by + bz (b = 1: max coordinate). These are the keypoints.
/// </summary>
public static class BoxFile
{
    /// <summary>Reads the file: result[classId] = corners [8·3].</summary>
    public static double[][] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new BopFormatException(path, "(path)", "expected the 3D box JSON file, found a folder");
        if (!File.Exists(path)) throw new FileNotFoundException($"3D box file not found: {path}", path);
        {
            var root = BopJson.Parse(path);
            if (root.ValueKind != JsonValueKind.Array) throw new BopFormatException(path, "(document)", "expected a list of 8-corner lists, one per class");
            var result = new List<double[]>();
            int c = 0;
            foreach (var cls in root.EnumerateArray())
            {
                if (cls.ValueKind != JsonValueKind.Array || cls.GetArrayLength() != 8)
                    throw new BopFormatException(path, $"[{c}]", "expected 8 corners");
                var corners = new double[24];
                int k = 0;
                foreach (var p in cls.EnumerateArray())
                {
                    if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() != 3)
                        throw new BopFormatException(path, $"[{c}][{k / 3}]", "expected [x, y, z]");
                    foreach (var v in p.EnumerateArray())
                    {
                        corners[k] = BopJson.Finite(path, $"[{c}][{k / 3}][{k % 3}]", v);
                        k++;
                    }
                }
                result.Add(corners);
                c++;
            }
            return result.ToArray();
        }
    }
}
