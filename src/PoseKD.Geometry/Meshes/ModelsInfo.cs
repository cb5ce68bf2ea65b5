using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoseKD.Geometry.Meshes;

/// <summary>Reads and writes BOP's <c>models_info.json</c> (object id → <see cref="ModelInfo"/>).</summary>
public static class ModelsInfo
{
    /// <summary>
    /// Reads <c>models_info.json</c>; keys are object ids. The diameter must be a finite number &gt; 0 (a zero
    /// or negative diameter would make every pose pass or fail the d-relative thresholds), the box finite
    /// with sizes ≥ 0, symmetries finite; keys may not repeat.
    /// </summary>
    /// <exception cref="BopFormatException">Malformed JSON or a field of the wrong shape or value.</exception>
    public static SortedDictionary<int, ModelInfo> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var obj = Bop.BopJson.ParseObject(path, "a JSON object keyed by object id");
        var result = new SortedDictionary<int, ModelInfo>();
        var seen = new Dictionary<int, string>();
        foreach (var p in obj.EnumerateObject())
        {
            string key = p.Name;
            if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                throw new BopFormatException(path, key, "expected an integer object id as key");
            if (seen.TryGetValue(id, out var other)) throw new BopFormatException(path, key, $"object {id} appears twice, as '{other}' and as '{key}'");
            seen[id] = key;
            var m = p.Value;
            if (m.ValueKind != JsonValueKind.Object) throw new BopFormatException(path, key, $"expected an object, found {Bop.BopJson.Show(m)}");
            double diameter = Num(path, m, key, "diameter");
            if (!(diameter > 0)) throw new BopFormatException(path, $"{key}.diameter", $"expected a diameter > 0 mm, found {diameter.ToString("R", CultureInfo.InvariantCulture)}");
            var info = new ModelInfo { Diameter = diameter };
            if (m.TryGetProperty("min_x", out _))
            {
                info.Min = [Num(path, m, key, "min_x"), Num(path, m, key, "min_y"), Num(path, m, key, "min_z")];
                info.Size = [Num(path, m, key, "size_x"), Num(path, m, key, "size_y"), Num(path, m, key, "size_z")];
                for (int a = 0; a < 3; a++)
                    if (info.Size[a] < 0) throw new BopFormatException(path, $"{key}.size_{"xyz"[a]}", $"expected a size ≥ 0, found {info.Size[a].ToString("R", CultureInfo.InvariantCulture)}");
            }
            if (m.TryGetProperty("symmetries_discrete", out var sd) && sd.ValueKind != JsonValueKind.Null)
            {
                if (sd.ValueKind != JsonValueKind.Array) throw new BopFormatException(path, $"{key}.symmetries_discrete", "expected an array of 16-number arrays");
                int i = 0;
                foreach (var s in sd.EnumerateArray()) info.SymmetriesDiscrete.Add(Bop.BopJson.Numbers(path, $"{key}.symmetries_discrete[{i++}]", s, 16));
            }
            if (m.TryGetProperty("symmetries_continuous", out var sc) && sc.ValueKind != JsonValueKind.Null)
            {
                if (sc.ValueKind != JsonValueKind.Array) throw new BopFormatException(path, $"{key}.symmetries_continuous", "expected an array of {axis, offset} objects");
                int i = 0;
                foreach (var s in sc.EnumerateArray())
                {
                    string f = $"{key}.symmetries_continuous[{i++}]";
                    if (s.ValueKind != JsonValueKind.Object) throw new BopFormatException(path, f, "expected an object with 'axis' and 'offset'");
                    var axis = Bop.BopJson.Numbers(path, f, s, "axis", 3);
                    if (axis[0] == 0 && axis[1] == 0 && axis[2] == 0) throw new BopFormatException(path, f + ".axis", "expected a non-zero axis");
                    info.SymmetriesContinuous.Add(new ContinuousSymmetry(axis, Bop.BopJson.Numbers(path, f, s, "offset", 3)));
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

    private static double Num(string path, JsonElement m, string key, string field)
    {
        if (!m.TryGetProperty(field, out var node)) throw new BopFormatException(path, $"{key}.{field}", "missing; expected a number");
        return Bop.BopJson.Finite(path, $"{key}.{field}", node);
    }
}
