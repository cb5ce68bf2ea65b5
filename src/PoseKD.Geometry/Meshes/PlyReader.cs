using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PoseKD.Geometry.Meshes;

/// <summary>
/// Reads PLY meshes (ascii, binary_little_endian, binary_big_endian). Recognised vertex properties:
/// x, y, z; nx, ny, nz; red, green, blue, alpha (uchar, or float in [0,1]); face lists named
/// <c>vertex_indices</c> or <c>vertex_index</c> with any count and index types (polygons are
/// fan-triangulated). Every other property and element is skipped by its size. A file without vertices,
/// or with a non-finite coordinate or normal (NaN, ±∞, or an ascii number beyond the double range), is an error
/// naming the file, the vertex and the property.
/// </summary>
public static class PlyReader
{
    private enum PlyType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 }

    private sealed record Property(string Name, PlyType Type, bool IsList, PlyType CountType);

    private sealed class Element(string name, long count)
    {
        public string Name { get; } = name;
        public long Count { get; } = count;
        public List<Property> Properties { get; } = [];
    }

    /// <summary>Reads the PLY file at <paramref name="path"/>.</summary>
    /// <exception cref="PlyFormatException">The header or the body is malformed or truncated.</exception>
    public static Mesh Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses PLY bytes; <paramref name="sourceName"/> names the source in errors.</summary>
    public static Mesh Read(byte[] data, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(data);
        int pos = 0;
        string format = "";
        var elements = new List<Element>();
        bool first = true;
        while (true)
        {
            string? line = ReadLine(data, ref pos);
            if (line == null) throw new PlyFormatException(sourceName, "header", "file ends before 'end_header'");
            line = line.Trim();
            if (first)
            {
                if (line != "ply") throw new PlyFormatException(sourceName, "header", $"expected magic 'ply', found '{Clip(line)}'");
                first = false;
                continue;
            }
            if (line.Length == 0) continue;
            var tok = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            switch (tok[0])
            {
                case "comment" or "obj_info": break;
                case "format":
                    if (tok.Length < 2 || tok[1] is not ("ascii" or "binary_little_endian" or "binary_big_endian"))
                        throw new PlyFormatException(sourceName, "header 'format'", $"expected ascii, binary_little_endian or binary_big_endian, found '{Clip(line)}'");
                    format = tok[1];
                    break;
                case "element":
                    if (tok.Length != 3 || !long.TryParse(tok[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long cnt) || cnt < 0)
                        throw new PlyFormatException(sourceName, "header 'element'", $"expected 'element <name> <count>', found '{Clip(line)}'");
                    elements.Add(new Element(tok[1], cnt));
                    break;
                case "property":
                    if (elements.Count == 0) throw new PlyFormatException(sourceName, "header 'property'", "property before any element");
                    var el = elements[^1];
                    if (tok.Length == 5 && tok[1] == "list")
                        el.Properties.Add(new Property(tok[4], ParseType(tok[3], sourceName, el.Name), true, ParseType(tok[2], sourceName, el.Name)));
                    else if (tok.Length == 3)
                        el.Properties.Add(new Property(tok[2], ParseType(tok[1], sourceName, el.Name), false, PlyType.UInt8));
                    else throw new PlyFormatException(sourceName, $"element '{el.Name}'", $"malformed property line '{Clip(line)}'");
                    break;
                case "end_header":
                    goto HeaderDone;
                default:
                    throw new PlyFormatException(sourceName, "header", $"unknown header line '{Clip(line)}'");
            }
        }
    HeaderDone:
        if (format.Length == 0) throw new PlyFormatException(sourceName, "header", "missing 'format' line");
        var vertexEl = elements.Find(e => e.Name == "vertex") ?? throw new PlyFormatException(sourceName, "element 'vertex'", "no vertex element in header");
        foreach (var c in new[] { "x", "y", "z" })
            if (vertexEl.Properties.Find(p => p.Name == c && !p.IsList) == null)
                throw new PlyFormatException(sourceName, "element 'vertex'", $"missing property '{c}'");
        if (vertexEl.Count == 0) throw new PlyFormatException(sourceName, "element 'vertex'", "expected at least one vertex, found 0");
        if (vertexEl.Count > int.MaxValue / 3) throw new PlyFormatException(sourceName, "element 'vertex'", $"too many vertices ({vertexEl.Count})");

        var reader = format == "ascii"
            ? (IValueSource)new AsciiSource(data, pos, sourceName)
            : new BinarySource(data, pos, format == "binary_big_endian", sourceName);

        int n = (int)vertexEl.Count;
        double[] vertices = new double[3 * n];
        float[]? normals = null;
        byte[]? colors = null;
        int colorChannels = 0;
        var tris = new List<int>();
        foreach (var el in elements)
        {
            if (el == vertexEl)
            {
                bool hasNormals = HasAll(el, "nx", "ny", "nz");
                bool hasColors = HasAll(el, "red", "green", "blue");
                bool hasAlpha = hasColors && el.Properties.Exists(p => p.Name == "alpha" && !p.IsList);
                if (hasNormals) normals = new float[3 * n];
                if (hasColors) { colorChannels = hasAlpha ? 4 : 3; colors = new byte[colorChannels * n]; }
                for (int i = 0; i < n; i++)
                {
                    foreach (var p in el.Properties)
                    {
                        if (p.IsList) { SkipList(reader, p, el.Name, i); continue; }
                        double v = reader.Next(p.Type, el.Name, p.Name, i);
                        if (!double.IsFinite(v) && p.Name is "x" or "y" or "z" or "nx" or "ny" or "nz")
                            throw new PlyFormatException(sourceName, $"element 'vertex' {i}", $"property '{p.Name}': expected a finite number, found {v}");
                        switch (p.Name)
                        {
                            case "x": vertices[3 * i] = v; break;
                            case "y": vertices[3 * i + 1] = v; break;
                            case "z": vertices[3 * i + 2] = v; break;
                            case "nx" when normals != null: normals[3 * i] = (float)v; break;
                            case "ny" when normals != null: normals[3 * i + 1] = (float)v; break;
                            case "nz" when normals != null: normals[3 * i + 2] = (float)v; break;
                            case "red" when colors != null: colors[colorChannels * i] = ToByte(v, p.Type); break;
                            case "green" when colors != null: colors[colorChannels * i + 1] = ToByte(v, p.Type); break;
                            case "blue" when colors != null: colors[colorChannels * i + 2] = ToByte(v, p.Type); break;
                            case "alpha" when colors != null && colorChannels == 4: colors[colorChannels * i + 3] = ToByte(v, p.Type); break;
                        }
                    }
                }
            }
            else if (el.Name == "face")
            {
                for (long f = 0; f < el.Count; f++)
                {
                    foreach (var p in el.Properties)
                    {
                        if (!p.IsList) { reader.Next(p.Type, el.Name, p.Name, f); continue; }
                        if (p.Name is not ("vertex_indices" or "vertex_index")) { SkipList(reader, p, el.Name, f); continue; }
                        double cntD = reader.Next(p.CountType, el.Name, p.Name + " count", f);
                        if (cntD < 0 || cntD != Math.Floor(cntD)) throw new PlyFormatException(sourceName, $"element 'face' {f}", $"invalid list count {cntD}");
                        int cnt = (int)cntD;
                        if (cnt < 3) throw new PlyFormatException(sourceName, $"element 'face' {f}", $"face with {cnt} vertices (at least 3 expected)");
                        int i0 = -1, prev = -1;
                        for (int k = 0; k < cnt; k++)
                        {
                            double idxD = reader.Next(p.Type, el.Name, p.Name, f);
                            if (idxD < 0 || idxD >= n || idxD != Math.Floor(idxD))
                                throw new PlyFormatException(sourceName, $"element 'face' {f}", $"vertex index {idxD} out of range [0, {n})");
                            int idx = (int)idxD;
                            if (k == 0) i0 = idx;
                            else if (k >= 2) { tris.Add(i0); tris.Add(prev); tris.Add(idx); }
                            prev = idx;
                        }
                    }
                }
            }
            else
            {
                for (long r = 0; r < el.Count; r++)
                    foreach (var p in el.Properties)
                    {
                        if (p.IsList) SkipList(reader, p, el.Name, r);
                        else reader.Next(p.Type, el.Name, p.Name, r);
                    }
            }
        }
        return new Mesh(vertices, tris.ToArray(), normals, colors, colorChannels == 0 ? 3 : colorChannels);
    }

    private static bool HasAll(Element el, params string[] names) =>
        names.All(nm => el.Properties.Exists(p => p.Name == nm && !p.IsList));

    private static byte ToByte(double v, PlyType t) =>
        t is PlyType.Float32 or PlyType.Float64 ? (byte)Math.Clamp(Math.Round(v * 255.0), 0, 255) : (byte)Math.Clamp(v, 0, 255);

    private static void SkipList(IValueSource reader, Property p, string element, long row)
    {
        double cnt = reader.Next(p.CountType, element, p.Name + " count", row);
        if (cnt < 0) throw reader.Error(element, row, $"negative list count {cnt} for '{p.Name}'");
        for (long k = 0; k < (long)cnt; k++) reader.Next(p.Type, element, p.Name, row);
    }

    private static PlyType ParseType(string s, string source, string element) => s switch
    {
        "char" or "int8" => PlyType.Int8,
        "uchar" or "uint8" => PlyType.UInt8,
        "short" or "int16" => PlyType.Int16,
        "ushort" or "uint16" => PlyType.UInt16,
        "int" or "int32" => PlyType.Int32,
        "uint" or "uint32" => PlyType.UInt32,
        "float" or "float32" => PlyType.Float32,
        "double" or "float64" => PlyType.Float64,
        _ => throw new PlyFormatException(source, $"element '{element}'", $"unknown property type '{s}'"),
    };

    private static string Clip(string s) => s.Length > 60 ? s[..60] + "…" : s;

    private static string? ReadLine(byte[] data, ref int pos)
    {
        if (pos >= data.Length) return null;
        int start = pos;
        while (pos < data.Length && data[pos] != (byte)'\n') pos++;
        int end = pos;
        if (pos < data.Length) pos++;
        if (end > start && data[end - 1] == (byte)'\r') end--;
        return Encoding.ASCII.GetString(data, start, end - start);
    }

    private interface IValueSource
    {
        double Next(PlyType type, string element, string property, long row);
        PlyFormatException Error(string element, long row, string detail);
    }

    private sealed class BinarySource(byte[] data, int pos, bool bigEndian, string source) : IValueSource
    {
        private int _pos = pos;

        public PlyFormatException Error(string element, long row, string detail) => new(source, $"element '{element}' {row}", detail);

        public double Next(PlyType type, string element, string property, long row)
        {
            int size = type switch { PlyType.Int8 or PlyType.UInt8 => 1, PlyType.Int16 or PlyType.UInt16 => 2, PlyType.Float64 => 8, _ => 4 };
            if (_pos + size > data.Length)
                throw new PlyFormatException(source, $"element '{element}' {row}", $"file truncated while reading property '{property}'");
            var s = data.AsSpan(_pos, size);
            _pos += size;
            return type switch
            {
                PlyType.Int8 => (sbyte)s[0],
                PlyType.UInt8 => s[0],
                PlyType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s),
                PlyType.UInt16 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
                PlyType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s),
                PlyType.UInt32 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
                PlyType.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s),
                _ => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s),
            };
        }
    }

    private sealed class AsciiSource(byte[] data, int pos, string source) : IValueSource
    {
        private int _pos = pos;

        public PlyFormatException Error(string element, long row, string detail) => new(source, $"element '{element}' {row}", detail);

        public double Next(PlyType type, string element, string property, long row)
        {
            while (_pos < data.Length && data[_pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') _pos++;
            int start = _pos;
            while (_pos < data.Length && data[_pos] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) _pos++;
            if (_pos == start)
                throw new PlyFormatException(source, $"element '{element}' {row}", $"file truncated while reading property '{property}'");
            var tok = data.AsSpan(start, _pos - start);
            if (!double.TryParse(tok, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new PlyFormatException(source, $"element '{element}' {row}", $"property '{property}': expected a number, found '{Encoding.ASCII.GetString(tok)}'");
            if (type is not (PlyType.Float32 or PlyType.Float64) && v != Math.Floor(v))
                throw new PlyFormatException(source, $"element '{element}' {row}", $"property '{property}': expected an integer, found '{Encoding.ASCII.GetString(tok)}'");
            return v;
        }
    }
}
