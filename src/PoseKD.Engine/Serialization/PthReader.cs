using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace PoseKD.Engine.Serialization;

/// <summary>
/// Imports PyTorch files written by <c>torch.save</c> (the zip format of torch ≥ 1.6):
/// <c>&lt;top&gt;/data.pkl</c> (the pickled object), <c>&lt;top&gt;/data/&lt;key&gt;</c> (raw little-endian
/// storages) and <c>&lt;top&gt;/version</c>; the top folder is usually <c>archive</c> or the file stem.
/// The pickle is read by a safe interpreter that never runs code: tensors are rebuilt from
/// (storage, storage offset, size, stride) — non-contiguous views are materialised — and only an
/// allow-list of builders is honoured (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>,
/// <c>torch._utils._rebuild_parameter</c>, the <c>torch.*Storage</c> types, <c>torch.device</c>, <c>torch.Size</c>).
/// Tensors come back as <see cref="NamedArray"/>: floating dtypes converted to float32, integer and
/// bool dtypes kept as int64 as well (e.g. <c>num_batches_tracked</c>).
/// </summary>
public static class PthReader
{
    /// <summary>
    /// Globals kept as inert <see cref="PickleObject"/> records (never called): the containers and the
    /// optimizer / scheduler objects that the reference's checkpoints hold (its <c>latest.pth</c> pickles the
    /// one-cycle scheduler's bound <c>anneal_func</c>, i.e. <c>getattr(OneCycleLR, …)</c>), numpy scalars and
    /// <c>argparse.Namespace</c>. Entries are <c>module.name</c>; an entry ending in <c>.*</c> admits a whole module
    /// prefix (only <c>torch.optim.*</c> by default: optimizer and learning-rate scheduler classes).
    /// </summary>
    public static IReadOnlyList<string> DefaultInertGlobals { get; } =
    [
        "builtins.dict", "builtins.list", "builtins.set", "builtins.frozenset", "builtins.tuple", "builtins.object", "builtins.getattr",
        "__builtin__.dict", "__builtin__.list", "__builtin__.set", "__builtin__.frozenset", "__builtin__.tuple", "__builtin__.object", "__builtin__.getattr",
        "copyreg._reconstructor", "collections.defaultdict", "argparse.Namespace",
        "numpy.core.multiarray.scalar", "numpy.core.multiarray._reconstruct", "numpy.dtype", "numpy.ndarray",
        "torch.optim.*",
    ];

    /// <summary>
    /// Loads the whole pickled object of <paramref name="path"/>. Tensors, storages and
    /// <c>collections.OrderedDict</c> are rebuilt; globals in <see cref="DefaultInertGlobals"/> (and in
    /// <paramref name="extraAllowedGlobals"/>, same syntax) become inert <see cref="PickleObject"/> records;
    /// any other global (e.g. <c>os.system</c>, <c>posix.system</c>, <c>subprocess.Popen</c>) is refused with
    /// an error naming it and the file. Nothing in the file is ever executed.
    /// </summary>
    /// <exception cref="PthFormatException">The file is not a torch.save archive, is malformed, or names a global outside the allow-list.</exception>
    public static object? Load(string path, IReadOnlyCollection<string>? extraAllowedGlobals = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw Bad(path, "file", "a torch.save file, found a folder");
        if (!File.Exists(path)) throw new FileNotFoundException($"PyTorch file not found: {path}", path);
        using var fs = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        if (fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4) throw Bad(path, "file", "a torch.save zip archive, the file is shorter than 4 bytes");
        if (!(magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4))
        {
            string what = magic[0] == 0x80 ? "the legacy (torch < 1.6, _use_new_zipfile_serialization=False) pickle format, which is not supported; re-save it with a newer torch"
                : $"bytes 0x{magic[0]:x2}{magic[1]:x2}{magic[2]:x2}{magic[3]:x2}";
            throw Bad(path, "file", $"a torch.save zip archive (starts with 'PK\\x03\\x04'), found {what}");
        }
        fs.Position = 0;
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (InvalidDataException e) { throw Bad(path, "zip directory", $"a valid zip archive ({e.Message})"); }
        using (zip)
        {
            var pkl = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pkl.Count != 1) throw Bad(path, "<top>/data.pkl", $"exactly one top-level data.pkl entry, found {pkl.Count}");
            string prefix = pkl[0].FullName[..^"data.pkl".Length];
            var order = zip.GetEntry(prefix + "byteorder");
            if (order is not null)
            {
                string bo = Encoding.ASCII.GetString(ReadEntry(order, path)).Trim();
                if (bo != "little") throw Bad(path, prefix + "byteorder", $"'little', found '{bo}'");
            }
            var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            byte[] StorageBytes(string key)
            {
                if (storages.TryGetValue(key, out var b)) return b;
                var entry = zip.GetEntry($"{prefix}data/{key}") ?? throw Bad(path, $"{prefix}data/{key}", "a storage entry named by data.pkl, it is missing");
                return storages[key] = ReadEntry(entry, path);
            }
            var reader = new PickleReader(ReadEntry(pkl[0], path), $"{path}: {pkl[0].FullName}", (m, n) => ResolveGlobal(m, n, path),
                pid => PersistentLoad(pid, path, StorageBytes), (m, n) => IsInertAllowed(m, n, extraAllowedGlobals));
            return reader.Load();
        }
    }

    /// <summary>
    /// Reads a model state dict from <paramref name="path"/>: either a pickled state dict
    /// (name → tensor) or a dict holding one under <c>'model'</c> (the reference's <c>latest.pth</c>:
    /// <c>{'steps', 'model', 'optim', 'sched'}</c>) or <c>'state_dict'</c>. Key order is the file's.
    /// </summary>
    public static Dictionary<string, NamedArray> ReadStateDict(string path) => ToStateDict(Load(path), path);

    /// <summary>Extracts the state dict from an object loaded by <see cref="Load"/>; see <see cref="ReadStateDict"/>.</summary>
    public static Dictionary<string, NamedArray> ToStateDict(object? root, string source)
    {
        if (root is not Dictionary<object, object?> dict)
            throw Bad(source, "<root>", $"a dict (a state_dict or {{'model': state_dict, ...}}), found {Describe(root)}");
        foreach (var key in new[] { "model", "state_dict" })
            if (dict.TryGetValue(key, out var inner) && inner is Dictionary<object, object?>)
                return ToStateDict(inner, $"{source}['{key}']");
        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var (k, v) in dict)
        {
            if (k is not string name) throw Bad(source, $"key {k}", "string state_dict keys");
            result[name] = v as NamedArray ?? throw Bad(source, name, $"a tensor, found {Describe(v)}");
        }
        return result;
    }

    private static bool IsInertAllowed(string module, string name, IReadOnlyCollection<string>? extra)
    {
        string full = $"{module}.{name}";
        static bool Matches(string entry, string module, string full) =>
            entry.EndsWith(".*", StringComparison.Ordinal)
                ? module == entry[..^2] || module.StartsWith(entry[..^1], StringComparison.Ordinal)
                : entry == full;
        return DefaultInertGlobals.Any(e => Matches(e, module, full)) || (extra?.Any(e => Matches(e, module, full)) ?? false);
    }

    private static object? ResolveGlobal(string module, string name, string path)
    {
        switch ((module, name))
        {
            case ("collections", "OrderedDict"):
                return new PickleCallable("collections.OrderedDict", args =>
                {
                    var d = new Dictionary<object, object?>();
                    if (args.Length > 0 && args[0] is List<object?> pairs)
                        foreach (var p in pairs) if (p is object?[] { Length: 2 } kv && kv[0] is { } k) d[k] = kv[1];
                    return d;
                });
            case ("torch._utils", "_rebuild_tensor_v2"):
            case ("torch._utils", "_rebuild_tensor"):
                return new PickleCallable($"torch._utils.{name}", args => RebuildTensor(args, path));
            case ("torch._utils", "_rebuild_parameter"):
            case ("torch._utils", "_rebuild_parameter_with_state"):
                return new PickleCallable($"torch._utils.{name}", args => args[0] as NamedArray
                    ?? throw Bad(path, $"torch._utils.{name}", $"a tensor as first argument, found {Describe(args[0])}"));
            case ("torch", "device"):
                return new PickleCallable("torch.device", args => string.Join(":", args.Select(a => a?.ToString())));
            case ("torch", "Size"):
                return new PickleCallable("torch.Size", args => args.Length > 0 && args[0] is object?[] t ? t : Array.Empty<object?>());
            case ("_codecs", "encode"):
                return new PickleCallable("_codecs.encode", args => args[0] is string s && (args.Length < 2 || args[1] is "latin1" or "latin-1")
                    ? Encoding.Latin1.GetBytes(s) : throw Bad(path, "_codecs.encode", "a str encoded as latin1"));
            case ("torch", _) when name.EndsWith("Storage", StringComparison.Ordinal) && StorageDType(name) is { } dt:
                return new StorageType(dt);
            case ("torch", _) when TorchDType(name) is { } dt2:
                return dt2;
            default:
                return null;
        }
    }

    /// <summary>Safetensors dtype of a legacy typed storage class name.</summary>
    private static string? StorageDType(string storageClass) => storageClass switch
    {
        "FloatStorage" => "F32", "DoubleStorage" => "F64", "HalfStorage" => "F16", "BFloat16Storage" => "BF16",
        "LongStorage" => "I64", "IntStorage" => "I32", "ShortStorage" => "I16", "CharStorage" => "I8",
        "ByteStorage" => "U8", "BoolStorage" => "BOOL", _ => null,
    };

    private static string? TorchDType(string name) => name switch
    {
        "float32" or "float" => "F32", "float64" or "double" => "F64", "float16" or "half" => "F16", "bfloat16" => "BF16",
        "int64" or "long" => "I64", "int32" or "int" => "I32", "int16" or "short" => "I16", "int8" => "I8",
        "uint8" => "U8", "bool" => "BOOL", _ => null,
    };

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8, "F32" or "I32" => 4, "F16" or "BF16" or "I16" => 2, _ => 1,
    };

    private sealed record StorageType(string DType);

    private sealed record Storage(string DType, string Key, byte[] Bytes);

    private static object PersistentLoad(object? pid, string path, Func<string, byte[]> storageBytes)
    {
        if (pid is not object?[] { Length: >= 5 } t || t[0] as string != "storage")
            throw Bad(path, "persistent id", "a tuple ('storage', storage type, key, location, numel)");
        var type = t[1] as StorageType ?? throw Bad(path, "persistent id", $"a torch.*Storage type, found {Describe(t[1])}");
        string key = t[2] as string ?? throw Bad(path, "persistent id", "a string storage key");
        var bytes = storageBytes(key);
        if (t[4] is long numel && numel * ElementSize(type.DType) > bytes.Length)
            throw Bad(path, $"data/{key}", $"{numel * ElementSize(type.DType)} bytes ({numel} × {type.DType}), the entry has {bytes.Length}");
        return new Storage(type.DType, key, bytes);
    }

    private static NamedArray RebuildTensor(object?[] args, string path)
    {
        if (args.Length < 4) throw Bad(path, "_rebuild_tensor_v2", $"at least 4 arguments, found {args.Length}");
        var storage = args[0] as Storage ?? throw Bad(path, "_rebuild_tensor_v2", $"a storage, found {Describe(args[0])}");
        long offset = args[1] as long? ?? throw Bad(path, "_rebuild_tensor_v2", "an integer storage offset");
        long[] size = IntTuple(args[2], path, "size");
        long[] stride = IntTuple(args[3], path, "stride");
        if (size.Length != stride.Length) throw Bad(path, $"tensor in data/{storage.Key}", $"size and stride of equal rank, found [{string.Join(", ", size)}] and [{string.Join(", ", stride)}]");
        int es = ElementSize(storage.DType);
        long storageNumel = storage.Bytes.Length / es;
        long count = size.Aggregate(1L, (a, d) => a * d);
        if (count > 0)
        {
            long lo = offset, hi = offset;
            for (int i = 0; i < size.Length; i++)
            {
                long span = (size[i] - 1) * stride[i];
                if (span < 0) lo += span; else hi += span;
            }
            if (size.Any(d => d < 0) || lo < 0 || hi >= storageNumel)
                throw Bad(path, $"tensor in data/{storage.Key}", $"elements inside the storage of {storageNumel}, view reaches [{lo}, {hi}]");
        }
        int n = checked((int)count);
        var raw = storage.Bytes;
        bool isInt = storage.DType is "I64" or "I32" or "I16" or "I8" or "U8" or "BOOL";
        var f = new float[n];
        long[]? ints = isInt ? new long[n] : null;
        double[]? doubles = storage.DType == "F64" ? new double[n] : null;
        // Contiguous float32 fast path.
        bool contiguous = true;
        long expect = 1;
        for (int i = size.Length - 1; i >= 0; i--) { if (size[i] != 1 && stride[i] != expect) contiguous = false; expect *= size[i]; }
        if (contiguous && storage.DType == "F32" && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(raw.AsSpan(checked((int)(offset * 4)), n * 4)).CopyTo(f);
        }
        else
        {
            var idx = new long[size.Length];
            long src = offset;
            for (int i = 0; i < n; i++)
            {
                int b = checked((int)(src * es));
                switch (storage.DType)
                {
                    case "F32": f[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(b)); break;
                    case "F64": doubles![i] = BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(b)); f[i] = (float)doubles[i]; break;
                    case "F16": f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(b)); break;
                    case "BF16": f[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(b)) << 16); break;
                    case "I64": ints![i] = BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(b)); break;
                    case "I32": ints![i] = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(b)); break;
                    case "I16": ints![i] = BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(b)); break;
                    case "I8": ints![i] = (sbyte)raw[b]; break;
                    default: ints![i] = raw[b]; break;
                }
                if (ints is not null) f[i] = ints[i];
                for (int d = size.Length - 1; d >= 0; d--)
                {
                    src += stride[d];
                    if (++idx[d] < size[d]) break;
                    src -= stride[d] * size[d];
                    idx[d] = 0;
                }
            }
        }
        return new NamedArray { Shape = size, DType = storage.DType, Data = f, Int64Data = ints, Float64Data = doubles };
    }

    private static long[] IntTuple(object? o, string path, string what)
    {
        if (o is not object?[] t) throw Bad(path, "_rebuild_tensor_v2", $"a {what} tuple, found {Describe(o)}");
        return t.Select(x => x as long? ?? throw Bad(path, "_rebuild_tensor_v2", $"integer {what} entries")).ToArray();
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream(checked((int)entry.Length));
            s.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e) { throw Bad(path, entry.FullName, $"a readable zip entry ({e.Message})"); }
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        PickleObject p => $"an object of class '{p.FullName}'",
        NamedArray a => $"a tensor [{string.Join(", ", a.Shape)}]",
        string s => $"the string '{s}'",
        Dictionary<object, object?> => "a dict",
        List<object?> => "a list",
        object?[] => "a tuple",
        _ => $"a {o.GetType().Name} ({o})",
    };

    private static PthFormatException Bad(string file, string field, string expected) => new($"{file}: {field}: expected {expected}");
}
