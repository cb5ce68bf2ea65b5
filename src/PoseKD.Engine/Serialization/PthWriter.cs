using System.Buffers.Binary;
using System.Text;

namespace PoseKD.Engine.Serialization;

/// <summary>
/// Writes a state dict as PyTorch's <c>torch.save</c> zip format (torch ≥ 1.6), so that
/// <c>model.load_state_dict(torch.load(path), strict=True)</c> accepts it:
/// an uncompressed zip with <c>archive/data.pkl</c> (pickle protocol 2 of a <c>collections.OrderedDict</c>
/// key → tensor, each tensor <c>torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())</c>
/// whose storage is the persistent id <c>('storage', torch.FloatStorage | torch.LongStorage, key, 'cpu', numel)</c>),
/// <c>archive/data/&lt;key&gt;</c> (raw little-endian storages, 64-byte aligned like torch writes them) and
/// <c>archive/version</c> (<c>3</c>). F32 arrays become float32 tensors, I64 arrays int64 tensors (e.g.
/// <c>num_batches_tracked</c>), F64 arrays float64 tensors. The write is atomic (temporary file, then rename).
/// </summary>
public static class PthWriter
{
    private const string Top = "archive";

    /// <summary>Writes <paramref name="stateDict"/> (in its enumeration order) to <paramref name="path"/>.</summary>
    public static void WriteStateDict(string path, IEnumerable<KeyValuePair<string, NamedArray>> stateDict)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        var entries = stateDict.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, _) in entries)
            if (!names.Add(k)) throw new ArgumentException($"state dict key '{k}' appears twice", nameof(stateDict));

        var storages = new List<byte[]>();
        var pickle = new PickleBuilder();
        pickle.Proto();
        pickle.Global("collections", "OrderedDict");
        pickle.EmptyTuple();
        pickle.Reduce();
        pickle.Mark();
        foreach (var (key, array) in entries)
        {
            pickle.Unicode(key);
            var (storageType, bytes) = Storage(key, array);
            string storageKey = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            storages.Add(bytes);
            pickle.Global("torch._utils", "_rebuild_tensor_v2");
            pickle.Mark();
            {   // persistent id of the storage
                pickle.Mark();
                pickle.Unicode("storage");
                pickle.Global("torch", storageType);
                pickle.Unicode(storageKey);
                pickle.Unicode("cpu");
                pickle.Int(array.Count);
                pickle.Tuple();
                pickle.BinPersId();
            }
            pickle.Int(0);
            pickle.IntTuple(array.Shape);
            pickle.IntTuple(ContiguousStrides(array.Shape));
            pickle.False();
            pickle.Global("collections", "OrderedDict");
            pickle.EmptyTuple();
            pickle.Reduce();
            pickle.Tuple();
            pickle.Reduce();
        }
        pickle.SetItems();
        pickle.Stop();

        var files = new List<(string Name, byte[] Data)> { ($"{Top}/data.pkl", pickle.ToArray()) };
        for (int i = 0; i < storages.Count; i++) files.Add(($"{Top}/data/{i}", storages[i]));
        files.Add(($"{Top}/version", Encoding.ASCII.GetBytes("3\n")));

        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp-" + Environment.ProcessId;
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            StoredZip.Write(fs, files);
        File.Move(tmp, full, overwrite: true);
    }

    private static (string StorageType, byte[] Bytes) Storage(string key, NamedArray a)
    {
        long n = a.Count;
        switch (a.DType)
        {
            case "F32":
            {
                if (a.Data.Length != n) throw new ArgumentException($"state dict entry '{key}': {a.Data.Length} values for shape [{string.Join(", ", a.Shape)}]");
                var b = new byte[n * 4];
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), a.Data[i]);
                return ("FloatStorage", b);
            }
            case "I64":
            {
                var d = a.Int64Data ?? throw new ArgumentException($"state dict entry '{key}': I64 array without int64 data");
                if (d.Length != n) throw new ArgumentException($"state dict entry '{key}': {d.Length} values for shape [{string.Join(", ", a.Shape)}]");
                var b = new byte[n * 8];
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(i * 8), d[i]);
                return ("LongStorage", b);
            }
            case "F64":
            {
                var d = a.Float64Data ?? throw new ArgumentException($"state dict entry '{key}': F64 array without float64 data");
                if (d.Length != n) throw new ArgumentException($"state dict entry '{key}': {d.Length} values for shape [{string.Join(", ", a.Shape)}]");
                var b = new byte[n * 8];
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), d[i]);
                return ("DoubleStorage", b);
            }
            default:
                throw new ArgumentException($"state dict entry '{key}': dtype {a.DType} cannot be written (expected F32, I64 or F64)");
        }
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>The pickle opcodes this writer needs (protocol 2).</summary>
    private sealed class PickleBuilder
    {
        private readonly MemoryStream _b = new();
        public void Proto() { _b.WriteByte(0x80); _b.WriteByte(2); }
        public void Global(string module, string name) { _b.WriteByte((byte)'c'); Ascii(module + "\n" + name + "\n"); }
        public void EmptyTuple() => _b.WriteByte((byte)')');
        public void Reduce() => _b.WriteByte((byte)'R');
        public void Mark() => _b.WriteByte((byte)'(');
        public void Tuple() => _b.WriteByte((byte)'t');
        public void SetItems() => _b.WriteByte((byte)'u');
        public void BinPersId() => _b.WriteByte((byte)'Q');
        public void False() => _b.WriteByte(0x89);
        public void Stop() => _b.WriteByte((byte)'.');

        public void Unicode(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            _b.WriteByte((byte)'X');
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)bytes.Length);
            _b.Write(len);
            _b.Write(bytes);
        }

        public void Int(long v)
        {
            if (v is >= 0 and < 256) { _b.WriteByte((byte)'K'); _b.WriteByte((byte)v); return; }
            if (v is >= int.MinValue and <= int.MaxValue)
            {
                _b.WriteByte((byte)'J');
                Span<byte> x = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(x, (int)v);
                _b.Write(x);
                return;
            }
            _b.WriteByte(0x8a); _b.WriteByte(8);   // LONG1, 8 bytes two's complement
            Span<byte> y = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(y, v);
            _b.Write(y);
        }

        public void IntTuple(long[] values)
        {
            Mark();
            foreach (long v in values) Int(v);
            Tuple();
        }

        private void Ascii(string s) => _b.Write(Encoding.ASCII.GetBytes(s));

        public byte[] ToArray() => _b.ToArray();
    }

    /// <summary>A minimal zip writer: stored (uncompressed) entries, data 64-byte aligned through the local extra field.</summary>
    private static class StoredZip
    {
        public static void Write(Stream output, IReadOnlyList<(string Name, byte[] Data)> files)
        {
            var central = new MemoryStream();
            var w = new BinaryWriter(output);
            var cw = new BinaryWriter(central);
            long offset = 0;
            foreach (var (name, data) in files)
            {
                if (data.LongLength > uint.MaxValue - 1024) throw new ArgumentException($"zip entry '{name}' is larger than 4 GiB (ZIP64 is not written)");
                var nameBytes = Encoding.UTF8.GetBytes(name);
                uint crc = Crc32.Compute(data);
                long dataStart = offset + 30 + nameBytes.Length;
                int pad = (int)((64 - (dataStart + 4) % 64) % 64);     // 4 bytes of extra-field header, then padding
                int extraLen = 4 + pad;
                long headerOffset = offset;
                w.Write(0x04034b50u); w.Write((ushort)20); w.Write((ushort)0); w.Write((ushort)0);
                w.Write((ushort)0); w.Write((ushort)0x21);   // time 00:00, date 1980-01-01
                w.Write(crc); w.Write((uint)data.Length); w.Write((uint)data.Length);
                w.Write((ushort)nameBytes.Length); w.Write((ushort)extraLen);
                w.Write(nameBytes);
                w.Write((ushort)0x4b46); w.Write((ushort)pad); w.Write(new byte[pad]);   // 'FK' padding record, as torch writes
                w.Write(data);
                offset += 30 + nameBytes.Length + extraLen + data.Length;

                cw.Write(0x02014b50u); cw.Write((ushort)20); cw.Write((ushort)20); cw.Write((ushort)0); cw.Write((ushort)0);
                cw.Write((ushort)0); cw.Write((ushort)0x21);
                cw.Write(crc); cw.Write((uint)data.Length); cw.Write((uint)data.Length);
                cw.Write((ushort)nameBytes.Length); cw.Write((ushort)0); cw.Write((ushort)0);
                cw.Write((ushort)0); cw.Write((ushort)0); cw.Write(0u); cw.Write(checked((uint)headerOffset));
                cw.Write(nameBytes);
            }
            cw.Flush();
            long cdOffset = offset;
            w.Write(central.ToArray());
            w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0);
            w.Write((ushort)files.Count); w.Write((ushort)files.Count);
            w.Write((uint)central.Length); w.Write(checked((uint)cdOffset));
            w.Write((ushort)0);
            w.Flush();
        }
    }
}
