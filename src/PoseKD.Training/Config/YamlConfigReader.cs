using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PoseKD.Training.Config;

/// <summary>
/// Typed reads from a parsed YAML mapping of mappings (<c>SECTION: {KEY: value}</c>). Every read records the key
/// as known, so that after all sections are read <see cref="UnknownKeys"/> lists what the file has that PoseKD
/// does not use. Type errors throw a <see cref="ConfigException"/> naming file, key, line and expected type.
/// </summary>
internal sealed class YamlConfigReader
{
    private readonly YamlMappingNode _root;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlConfigReader(string text, string file)
    {
        File = file;
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new ConfigException($"{file}: not valid YAML at line {e.Start.Line}: {e.Message}", e); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            if (stream.Documents.Count == 0) { _root = new YamlMappingNode(); return; }
            throw new ConfigException($"{file}: expected a mapping of sections (MODEL:, DATASETS:, …) at the top level");
        }
        _root = root;
    }

    public string File { get; }

    /// <summary>Keys present in the file (SECTION or SECTION.KEY) that no read asked for.</summary>
    public IReadOnlyList<string> UnknownKeys()
    {
        var unknown = new List<string>();
        foreach (var (k, v) in _root.Children)
        {
            string section = Scalar(k);
            if (!_known.Contains(section)) { unknown.Add(section); continue; }
            if (v is not YamlMappingNode m) continue;
            foreach (var (kk, _) in m.Children)
            {
                string key = section + "." + Scalar(kk);
                if (!_known.Contains(key)) unknown.Add(key);
            }
        }
        return unknown;
    }

    /// <summary>Marks a whole section as known (its keys are not reported).</summary>
    public void IgnoreSection(string section)
    {
        _known.Add(section);
        if (Section(section) is { } m) foreach (var (kk, _) in m.Children) _known.Add(section + "." + Scalar(kk));
    }

    private static string Scalar(YamlNode n) => n is YamlScalarNode s ? s.Value ?? "" : n.ToString();

    private YamlMappingNode? Section(string section)
    {
        _known.Add(section);
        if (!_root.Children.TryGetValue(new YamlScalarNode(section), out var node)) return null;
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" }) return null;
        return node as YamlMappingNode
            ?? throw new ConfigException($"{File}: key '{section}' (line {node.Start.Line}): expected a mapping of keys, found {Describe(node)}");
    }

    private YamlNode? Node(string section, string key)
    {
        var m = Section(section);
        _known.Add(section + "." + key);
        if (m is null) return null;
        return m.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;
    }

    public bool Has(string section, string key) => Node(section, key) is not null;

    private static string Describe(YamlNode n) => n switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => n.NodeType.ToString(),
    };

    private ConfigException Wrong(string section, string key, YamlNode node, string expected)
        => new($"{File}: key '{section}.{key}' (line {node.Start.Line}): expected {expected}, found {Describe(node)}");

    private static bool IsNull(YamlNode n) => n is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" or "None" };

    private bool TryDouble(YamlNode n, out double v)
    {
        v = 0;
        return n is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } s }
            && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }

    public double Double(string section, string key, double fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        return TryDouble(n, out double v) ? v : throw Wrong(section, key, n, "a number");
    }

    public int Int(string section, string key, int fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        if (n is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } s } && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return v;
        throw Wrong(section, key, n, "an integer");
    }

    public bool Bool(string section, string key, bool fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        if (n is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } s })
        {
            switch (s.ToLowerInvariant())
            {
                case "true" or "yes" or "on" or "1": return true;
                case "false" or "no" or "off" or "0": return false;
            }
        }
        throw Wrong(section, key, n, "true or false");
    }

    public string String(string section, string key, string fallback) => NullableString(section, key, fallback) ?? fallback;

    public string? NullableString(string section, string key, string? fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        if (IsNull(n)) return null;
        return n is YamlScalarNode s ? s.Value ?? "" : throw Wrong(section, key, n, "a string");
    }

    public double[] Doubles(string section, string key, double[] fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        if (n is not YamlSequenceNode seq) throw Wrong(section, key, n, "a list of numbers");
        var r = new double[seq.Children.Count];
        for (int i = 0; i < r.Length; i++)
            if (!TryDouble(seq.Children[i], out r[i])) throw Wrong(section, $"{key}[{i}]", seq.Children[i], "a number");
        return r;
    }

    public int[] Ints(string section, string key, int[] fallback)
    {
        var d = Doubles(section, key, fallback.Select(x => (double)x).ToArray());
        var r = new int[d.Length];
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] != Math.Floor(d[i]) || Math.Abs(d[i]) > int.MaxValue)
                throw new ConfigException($"{File}: key '{section}.{key}[{i}]': expected an integer, found {d[i].ToString(CultureInfo.InvariantCulture)}");
            r[i] = (int)d[i];
        }
        return r;
    }

    public double[][] DoubleRows(string section, string key, double[][] fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        if (n is not YamlSequenceNode seq) throw Wrong(section, key, n, "a list of lists of numbers");
        var rows = new double[seq.Children.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            if (seq.Children[i] is not YamlSequenceNode row) throw Wrong(section, $"{key}[{i}]", seq.Children[i], "a list of numbers");
            rows[i] = new double[row.Children.Count];
            for (int j = 0; j < rows[i].Length; j++)
                if (!TryDouble(row.Children[j], out rows[i][j])) throw Wrong(section, $"{key}[{i}][{j}]", row.Children[j], "a number");
        }
        return rows;
    }

    /// <summary>A mapping of name → list of scalars (e.g. <c>SYMMETRY_TYPES: {cls_9: [X, 180]}</c>), scalars as strings.</summary>
    public Dictionary<string, string[]> ScalarListMap(string section, string key, Dictionary<string, string[]> fallback)
    {
        var n = Node(section, key);
        if (n is null) return fallback;
        if (IsNull(n)) return new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (n is not YamlMappingNode m) throw Wrong(section, key, n, "a mapping of names to lists");
        var r = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            string name = Scalar(k);
            if (v is not YamlSequenceNode seq) throw Wrong(section, $"{key}.{name}", v, "a list");
            r[name] = seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw Wrong(section, $"{key}.{name}", c, "a list of scalars")).ToArray();
        }
        return r;
    }

    /// <summary>A number, or a list of numbers (returned as-is), for keys the reference gives either form.</summary>
    public (double? Scalar, double[]? List) NumberOrList(string section, string key)
    {
        var n = Node(section, key);
        if (n is null) return (null, null);
        if (TryDouble(n, out double v)) return (v, null);
        if (n is YamlSequenceNode) return (null, Doubles(section, key, []));
        throw Wrong(section, key, n, "a number or a list of numbers");
    }
}
