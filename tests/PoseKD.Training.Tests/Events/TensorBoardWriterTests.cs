using System.Buffers.Binary;
using System.Text;
using PoseKD.Training.Events;

namespace PoseKD.Training.Tests.Events;

/// <summary>
/// Event files read back with an independent parser written here from the public formats (TFRecord framing,
/// protobuf wire format, event.proto / summary.proto field numbers), not with the writer's Google.Protobuf code.
/// </summary>
public sealed class TensorBoardWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-tb-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // CRC-32C bit by bit (reflected polynomial 0x82F63B78), independent of the writer's implementation
    private static uint Crc32CBitwise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    private static uint Mask(uint c) => unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);

    private static List<byte[]> ReadRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            Assert.Equal(Mask(Crc32CBitwise(bytes.AsSpan(pos, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8)));
            var data = bytes.AsSpan(pos + 12, (int)len).ToArray();
            Assert.Equal(Mask(Crc32CBitwise(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)len)));
            records.Add(data);
            pos += 16 + (int)len;
        }
        return records;
    }

    private static ulong Varint(byte[] b, ref int p)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[p++];
            v |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }

    /// <summary>Fields of one protobuf message: (field number, wire type, varint or fixed value, bytes).</summary>
    private static List<(int Field, int Wire, ulong Num, byte[] Bytes)> Fields(byte[] msg)
    {
        var r = new List<(int, int, ulong, byte[])>();
        int p = 0;
        while (p < msg.Length)
        {
            ulong key = Varint(msg, ref p);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: r.Add((field, 0, Varint(msg, ref p), [])); break;
                case 1: r.Add((field, 1, BinaryPrimitives.ReadUInt64LittleEndian(msg.AsSpan(p)), [])); p += 8; break;
                case 5: r.Add((field, 5, BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(p)), [])); p += 4; break;
                case 2:
                    int n = (int)Varint(msg, ref p);
                    r.Add((field, 2, 0, msg.AsSpan(p, n).ToArray())); p += n; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
        return r;
    }

    [Fact]
    public void Crc32C_KnownVector_MatchesStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, TfRecord.Crc32C(Encoding.ASCII.GetBytes("123456789")));
        var rnd = new Random(3);
        var buf = new byte[1000];
        rnd.NextBytes(buf);
        Assert.Equal(Crc32CBitwise(buf), TfRecord.Crc32C(buf));
    }

    [Fact]
    public void OnScalars_FileReadBackIndependently_HasVersionThenStepsTagsAndValues()
    {
        string path;
        using (var w = new TensorBoardWriter(_dir))
        {
            path = w.Path;
            w.OnScalars(10, [new("training/loss_cls", 0.25), new("training/learning_rate", 1e-3)]);
            w.OnScalars(20, [new("ADI/0.10", 0.5)]);
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));
        var records = ReadRecords(path);
        Assert.Equal(3, records.Count);
        var version = Fields(records[0]);
        Assert.Contains(version, f => f.Field == 1 && f.Wire == 1);
        Assert.Equal("brain.Event:2", Encoding.UTF8.GetString(version.Single(f => f.Field == 3).Bytes));

        var ev = Fields(records[1]);
        Assert.Equal(10UL, ev.Single(f => f.Field == 2 && f.Wire == 0).Num);
        double wall = BitConverter.UInt64BitsToDouble(ev.Single(f => f.Field == 1).Num);
        Assert.InRange(wall, 1.6e9, 4e9);
        var values = Fields(ev.Single(f => f.Field == 5).Bytes).Where(f => f.Field == 1).Select(f => Fields(f.Bytes)).ToList();
        Assert.Equal(2, values.Count);
        Assert.Equal("training/loss_cls", Encoding.UTF8.GetString(values[0].Single(f => f.Field == 1).Bytes));
        Assert.Equal(0.25f, BitConverter.UInt32BitsToSingle((uint)values[0].Single(f => f.Field == 2 && f.Wire == 5).Num));
        Assert.Equal(1e-3f, BitConverter.UInt32BitsToSingle((uint)values[1].Single(f => f.Field == 2).Num));

        var ev2 = Fields(records[2]);
        Assert.Equal(20UL, ev2.Single(f => f.Field == 2).Num);
    }

    [Theory]
    [InlineData("ADI/cls_0/0.10", "ADI/class_00", "ADI_class_00_ADI.10d")]
    [InlineData("ADI/all_class/0.05", "ADI/all_class", "ADI_all_class_ADI.05d")]
    [InlineData("REP/cls_12/05px", "REP/class_12", "REP_class_12_REP05px")]
    [InlineData("teacher/ADI/cls_1/0.50", "teacher/ADI/class_01", "teacher_ADI_class_01_ADI.50d")]
    public void Grouped_ValidationScalars_TakeTheReferencesAddScalarsTagAndFolder(string tag, string main, string folder)
    {
        Assert.Equal((main, folder), TensorBoardWriter.Grouped(tag));
    }

    [Theory]
    [InlineData("training/loss_cls")]
    [InlineData("AUC/cls_0")]
    [InlineData("ADI/depth0 652-784/0.10")]
    public void Grouped_OtherScalars_StayPlain(string tag) => Assert.Null(TensorBoardWriter.Grouped(tag));

    [Fact]
    public void OnScalars_ValidationAccuracy_WrittenToAddScalarsSubfolders()
    {
        using (var w = new TensorBoardWriter(_dir))
            w.OnScalars(500, [new("training/loss_cls", 1.0), new("ADI/cls_0/0.10", 12.5), new("ADI/cls_0/0.20", 30.0)]);
        var sub = Directory.GetFiles(Path.Combine(_dir, "ADI_class_00_ADI.10d"));
        var rec = ReadRecords(Assert.Single(sub));
        Assert.Equal(2, rec.Count); // version, one scalar
        var v = Fields(Fields(Fields(rec[1]).Single(f => f.Field == 5).Bytes).Single(f => f.Field == 1).Bytes);
        Assert.Equal("ADI/class_00", Encoding.UTF8.GetString(v.Single(f => f.Field == 1).Bytes));
        Assert.Equal(12.5f, BitConverter.UInt32BitsToSingle((uint)v.Single(f => f.Field == 2).Num));
        Assert.True(Directory.Exists(Path.Combine(_dir, "ADI_class_00_ADI.20d")));
        var main = ReadRecords(Directory.GetFiles(_dir, "events.out.tfevents.*").Single());
        Assert.Equal(2, main.Count); // version + the plain scalar only
    }

    [Fact]
    public void Constructor_SameSecondTwice_WritesTwoFiles()
    {
        using var a = new TensorBoardWriter(_dir);
        using var b = new TensorBoardWriter(_dir);
        Assert.NotEqual(a.Path, b.Path);
    }
}
