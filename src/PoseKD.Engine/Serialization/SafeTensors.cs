using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoseKD.Engine.Serialization;

/// <summary>
/// Reader and writer of the safetensors format (https://github.com/huggingface/safetensors):
/// 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>),
/// then the raw little-endian data. Writes are atomic (temporary file, then rename).
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Reads every array of <paramref name="path"/>; metadata strings go to <paramref name="metadata"/>.</summary>
    public static Dictionary<string, NamedArray> Read(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        return Parse(File.ReadAllBytes(path), path, out metadata);
    }

    /// <summary>Reads every array of <paramref name="path"/>, ignoring metadata.</summary>
    public static Dictionary<string, NamedArray> Read(string path) => Read(path, out _);

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names the origin in error messages.</summary>
    public static Dictionary<string, NamedArray> Parse(byte[] bytes, string source, out Dictionary<string, string> metadata)
    {
        if (bytes.Length < 8) throw Bad(source, "header length", $"at least 8 bytes, file has {bytes.Length}");
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (n <= 0 || n > MaxHeaderBytes || 8 + n > bytes.Length)
            throw Bad(source, "header length", $"a length in 1..{Math.Min(MaxHeaderBytes, bytes.Length - 8)}, found {n}");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n)) as JsonObject ?? throw Bad(source, "header", "a JSON object"); }
        catch (JsonException e) { throw Bad(source, "header", $"valid JSON ({e.Message})"); }
        long dataStart = 8 + n, dataLen = bytes.Length - dataStart;
        metadata = new Dictionary<string, string>();
        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta)
                    foreach (var (k, v) in meta) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            if (node is not JsonObject entry) throw Bad(source, name, "an object with dtype, shape, data_offsets");
            string dtype = entry["dtype"]?.GetValue<string>() ?? throw Bad(source, $"{name}.dtype", "a string");
            var shape = (entry["shape"] as JsonArray ?? throw Bad(source, $"{name}.shape", "an array"))
                .Select(x => x!.GetValue<long>()).ToArray();
            var offs = entry["data_offsets"] as JsonArray ?? throw Bad(source, $"{name}.data_offsets", "an array [begin, end]");
            if (offs.Count != 2) throw Bad(source, $"{name}.data_offsets", "two numbers");
            long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
            if (shape.Any(d => d < 0)) throw Bad(source, $"{name}.shape", "non-negative dimensions");
            long count = shape.Aggregate(1L, (a, d) => a * d);
            int size = DTypeSize(dtype) ?? throw Bad(source, $"{name}.dtype", $"one of F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL; found '{dtype}'");
            if (begin < 0 || end < begin || end > dataLen || end - begin != count * size)
                throw Bad(source, $"{name}.data_offsets", $"a range of {count * size} bytes inside the {dataLen}-byte data section, found [{begin}, {end}]");
            var raw = bytes.AsSpan((int)(dataStart + begin), (int)(end - begin));
            result[name] = Decode(dtype, shape, raw, checked((int)count));
        }
        return result;
    }

    /// <summary>Writes float32 arrays (name → shape, data) with optional metadata, atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, (long[] Shape, float[] Data)>> arrays, IReadOnlyDictionary<string, string>? metadata = null)
        => WriteArrays(path, arrays.Select(kv => new KeyValuePair<string, NamedArray>(kv.Key,
            new NamedArray { Shape = kv.Value.Shape, DType = "F32", Data = kv.Value.Data })), metadata);

    /// <summary>Writes named arrays in their dtype (F32 from <see cref="NamedArray.Data"/>, I64 from <see cref="NamedArray.Int64Data"/>,
    /// F64 from <see cref="NamedArray.Float64Data"/>), atomically.</summary>
    public static void WriteArrays(string path, IEnumerable<KeyValuePair<string, NamedArray>> arrays, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = arrays.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) m[k] = v;
            header["__metadata__"] = m;
        }
        long offset = 0;
        foreach (var (name, a) in list)
        {
            long count = a.Count;
            if (a.DType == "F32" && a.Data.Length != count) throw new ArgumentException($"array '{name}': shape [{string.Join(", ", a.Shape)}] needs {count} values, has {a.Data.Length}");
            if (a.DType == "I64" && (a.Int64Data?.Length ?? -1) != count) throw new ArgumentException($"array '{name}': I64 shape [{string.Join(", ", a.Shape)}] needs {count} Int64Data values");
            if (a.DType == "F64" && (a.Float64Data?.Length ?? -1) != count) throw new ArgumentException($"array '{name}': F64 shape [{string.Join(", ", a.Shape)}] needs {count} Float64Data values");
            if (a.DType is not ("F32" or "I64" or "F64")) throw new ArgumentException($"array '{name}': can write F32, F64 or I64, not {a.DType}");
            long bytes = count * (a.DType == "F32" ? 4 : 8);
            header[name] = new JsonObject
            {
                ["dtype"] = a.DType,
                ["shape"] = new JsonArray(a.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, headerBytes.Length + pad);
            fs.Write(len);
            fs.Write(headerBytes);
            for (int i = 0; i < pad; i++) fs.WriteByte((byte)' ');
            var buf = new byte[8];
            foreach (var (_, a) in list)
            {
                if (a.DType == "F32")
                    foreach (var v in a.Data) { BinaryPrimitives.WriteSingleLittleEndian(buf, v); fs.Write(buf, 0, 4); }
                else if (a.DType == "F64")
                    foreach (var v in a.Float64Data!) { BinaryPrimitives.WriteDoubleLittleEndian(buf, v); fs.Write(buf, 0, 8); }
                else
                    foreach (var v in a.Int64Data!) { BinaryPrimitives.WriteInt64LittleEndian(buf, v); fs.Write(buf, 0, 8); }
            }
            fs.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    private static int? DTypeSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => null,
    };

    private static NamedArray Decode(string dtype, long[] shape, ReadOnlySpan<byte> raw, int count)
    {
        var f = new float[count];
        long[]? ints = dtype is "I64" or "I32" or "I16" or "I8" or "U8" or "BOOL" ? new long[count] : null;
        double[]? doubles = dtype == "F64" ? new double[count] : null;
        for (int i = 0; i < count; i++)
        {
            switch (dtype)
            {
                case "F32": f[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]); break;
                case "F64": doubles![i] = BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]); f[i] = (float)doubles[i]; break;
                case "F16": f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]); break;
                case "BF16": f[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16); break;
                case "I64": ints![i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]); break;
                case "I32": ints![i] = BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]); break;
                case "I16": ints![i] = BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]); break;
                case "I8": ints![i] = (sbyte)raw[i]; break;
                default: ints![i] = raw[i]; break;
            }
            if (ints != null) f[i] = ints[i];
        }
        return new NamedArray { Shape = shape, DType = dtype, Data = f, Int64Data = ints, Float64Data = doubles };
    }

    private static SafeTensorsFormatException Bad(string file, string field, string expected)
        => new($"{file}: field '{field}': expected {expected}");
}
