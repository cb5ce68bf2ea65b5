using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoseKD.Geometry.Meshes;

/// <summary>Reads and writes BOP's <c>models_info.json</c> (object id → <see cref="ModelInfo"/>).</summary>
public static class ModelsInfo
{
    /// <summary>Reads <c>models_info.json</c>; keys are object ids.</summary>
    /// <exception cref="BopFormatException">Malformed JSON or a field of the wrong shape.</exception>
    public static SortedDictionary<int, ModelInfo> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new BopFormatException(path, "(document)", $"invalid JSON: {e.Message}", e); }
        if (root is not JsonObject obj) throw new BopFormatException(path, "(document)", "expected a JSON object keyed by object id");
        var result = new SortedDictionary<int, ModelInfo>();
        foreach (var (key, node) in obj)
        {
            if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new BopFormatException(path, key, "expected an integer object id as key");
            if (node is not JsonObject m) throw new BopFormatException(path, key, "expected an object");
            var info = new ModelInfo { Diameter = Num(path, m, key, "diameter") };
            if (m.ContainsKey("min_x"))
            {
                info.Min = [Num(path, m, key, "min_x"), Num(path, m, key, "min_y"), Num(path, m, key, "min_z")];
                info.Size = [Num(path, m, key, "size_x"), Num(path, m, key, "size_y"), Num(path, m, key, "size_z")];
            }
            if (m["symmetries_discrete"] is { } sd)
            {
                if (sd is not JsonArray arr) throw new BopFormatException(path, $"{key}.symmetries_discrete", "expected an array of 16-number arrays");
                for (int i = 0; i < arr.Count; i++)
                    info.SymmetriesDiscrete.Add(NumArray(path, arr[i], $"{key}.symmetries_discrete[{i}]", 16));
            }
            if (m["symmetries_continuous"] is { } sc)
            {
                if (sc is not JsonArray arr) throw new BopFormatException(path, $"{key}.symmetries_continuous", "expected an array of {axis, offset} objects");
                for (int i = 0; i < arr.Count; i++)
                {
                    string f = $"{key}.symmetries_continuous[{i}]";
                    if (arr[i] is not JsonObject s) throw new BopFormatException(path, f, "expected an object with 'axis' and 'offset'");
                    info.SymmetriesContinuous.Add(new ContinuousSymmetry(
                        NumArray(path, s["axis"], f + ".axis", 3), NumArray(path, s["offset"], f + ".offset", 3)));
                }
            }
            result[id] = info;
        }
        return result;
    }

    /// <summary>Writes <c>models_info.json</c> in BOP's layout (keys are object ids as strings).</summary>
    public static void Write(string path, IReadOnlyDictionary<int, ModelInfo> infos)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(infos);
        var root = new JsonObject();
        foreach (var (id, m) in infos.OrderBy(kv => kv.Key))
        {
            var o = new JsonObject
            {
                ["diameter"] = m.Diameter,
                ["min_x"] = m.Min[0], ["min_y"] = m.Min[1], ["min_z"] = m.Min[2],
                ["size_x"] = m.Size[0], ["size_y"] = m.Size[1], ["size_z"] = m.Size[2],
            };
            if (m.SymmetriesDiscrete.Count > 0)
                o["symmetries_discrete"] = new JsonArray(m.SymmetriesDiscrete.Select(s => (JsonNode)new JsonArray(s.Select(x => (JsonNode)JsonValue.Create(x)).ToArray())).ToArray());
            if (m.SymmetriesContinuous.Count > 0)
                o["symmetries_continuous"] = new JsonArray(m.SymmetriesContinuous.Select(s => (JsonNode)new JsonObject
                {
                    ["axis"] = new JsonArray(s.Axis.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
                    ["offset"] = new JsonArray(s.Offset.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
                }).ToArray());
            root[id.ToString(CultureInfo.InvariantCulture)] = o;
        }
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static double Num(string path, JsonObject m, string key, string field)
    {
        var node = m[field];
        if (node is JsonValue v && v.TryGetValue(out double d)) return d;
        throw new BopFormatException(path, $"{key}.{field}", node == null ? "missing; expected a number" : $"expected a number, found {node.ToJsonString()}");
    }

    internal static double[] NumArray(string path, JsonNode? node, string field, int expected)
    {
        if (node is not JsonArray a || a.Count != expected)
            throw new BopFormatException(path, field, $"expected an array of {expected} numbers, found {(node == null ? "nothing" : node.ToJsonString())}");
        var r = new double[expected];
        for (int i = 0; i < expected; i++)
        {
            if (a[i] is JsonValue v && v.TryGetValue(out double d)) r[i] = d;
            else throw new BopFormatException(path, $"{field}[{i}]", $"expected a number, found {a[i]?.ToJsonString() ?? "null"}");
        }
        return r;
    }
}
