using System.Globalization;
using System.Text.Json;

namespace PoseKD.Geometry.Bop;

/// <summary>
/// Strict reading of BOP JSON files, shared by every reader of the dataset (Geometry's evaluation and
/// Data's training reader) so that they accept and reject the same files: a property name may appear
/// only once per object, two image keys may not name the same image ("1" and "000001"), integers must be
/// integers in range, and numbers must be finite (System.Text.Json reads <c>1e309</c> as infinity).
/// Every error is a <see cref="BopFormatException"/> naming the file, the field and what was expected.
/// </summary>
public static class BopJson
{
    /// <summary>
    /// Parses <paramref name="path"/> and checks that no object anywhere in it repeats a property name.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="BopFormatException">The path is a folder, the JSON is invalid or a key is repeated.</exception>
    public static JsonElement Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new BopFormatException(path, "(path)", "expected a JSON file, found a folder");
        if (!File.Exists(path)) throw new FileNotFoundException($"BOP file not found: {path}", path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            CheckDuplicates(path, doc.RootElement, "");
            return doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new BopFormatException(path, "(document)", $"invalid JSON: {e.Message}", e); }
    }

    /// <summary>Parses <paramref name="path"/> (see <see cref="Parse"/>) and requires an object at the top.</summary>
    public static JsonElement ParseObject(string path, string expectation)
    {
        var root = Parse(path);
        if (root.ValueKind != JsonValueKind.Object) throw new BopFormatException(path, "(document)", $"expected {expectation}, found {Kind(root)}");
        return root;
    }

    /// <summary>
    /// The image keys of an object keyed by image id (scene_gt.json, scene_camera.json, scene_gt_info.json):
    /// integer id → key as written. Two keys with the same integer value ("1" and "000001") are an error
    /// naming both; when <paramref name="requireIntegers"/> is set, a key that is not an integer is one too.
    /// </summary>
    public static Dictionary<int, string> ImageKeys(string path, JsonElement obj, bool requireIntegers)
    {
        var keys = new Dictionary<int, string>();
        foreach (var p in obj.EnumerateObject())
        {
            if (!int.TryParse(p.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0)
            {
                if (requireIntegers) throw new BopFormatException(path, p.Name, "expected a non-negative integer image id as key");
                continue;
            }
            if (keys.TryGetValue(id, out var other))
                throw new BopFormatException(path, p.Name, $"image {id} appears twice, as '{other}' and as '{p.Name}' (ambiguous; keep one)");
            keys[id] = p.Name;
        }
        return keys;
    }

    /// <summary>The value of <paramref name="e"/> as an int, or an error naming the field ("expected an integer").</summary>
    public static int Int(string path, string field, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v)) return v;
        throw new BopFormatException(path, field, $"expected an integer, found {Show(e)}");
    }

    /// <summary>The value of <paramref name="e"/> as a finite double, or an error naming the field.</summary>
    public static double Finite(string path, string field, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v)) return v;
        if (e.ValueKind == JsonValueKind.Number) throw new BopFormatException(path, field, $"expected a finite number, found {Show(e)} (out of the double range)");
        throw new BopFormatException(path, field, $"expected a number, found {Show(e)}");
    }

    /// <summary>Property <paramref name="name"/> of object <paramref name="obj"/> as <paramref name="count"/> finite numbers.</summary>
    public static double[] Numbers(string path, string field, JsonElement obj, string name, int count)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new BopFormatException(path, field, $"expected an object with '{name}', found {Show(obj)}");
        if (!obj.TryGetProperty(name, out var arr)) throw new BopFormatException(path, $"{field}.{name}", $"missing; expected {count} numbers");
        return Numbers(path, $"{field}.{name}", arr, count);
    }

    /// <summary><paramref name="arr"/> as an array of <paramref name="count"/> finite numbers.</summary>
    public static double[] Numbers(string path, string field, JsonElement arr, int count)
    {
        if (arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() != count)
            throw new BopFormatException(path, field, $"expected an array of {count} numbers, found {Show(arr)}");
        var v = new double[count];
        int j = 0;
        foreach (var x in arr.EnumerateArray()) { v[j] = Finite(path, $"{field}[{j}]", x); j++; }
        return v;
    }

    /// <summary>A short rendering of a JSON value for messages (kind and text, clipped).</summary>
    public static string Show(JsonElement e)
    {
        string raw = e.ValueKind == JsonValueKind.Undefined ? "nothing" : e.GetRawText();
        if (raw.Length > 60) raw = raw[..60] + "…";
        return e.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.Array => $"an array of {e.GetArrayLength()} values",
            JsonValueKind.Object => "an object",
            _ => raw,
        };
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };

    private static void CheckDuplicates(string path, JsonElement e, string at)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            HashSet<string>? seen = null;
            foreach (var p in e.EnumerateObject())
            {
                seen ??= new HashSet<string>(StringComparer.Ordinal);
                string f = at.Length == 0 ? p.Name : $"{at}.{p.Name}";
                if (!seen.Add(p.Name)) throw new BopFormatException(path, f, $"key '{p.Name}' appears twice in the same object (ambiguous; keep one)");
                CheckDuplicates(path, p.Value, f);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var x in e.EnumerateArray()) { if (x.ValueKind is JsonValueKind.Object or JsonValueKind.Array) CheckDuplicates(path, x, $"{at}[{i}]"); i++; }
        }
    }
}
