using System.IO.Compression;
using System.Text;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Serialization;

public class PthReaderTests
{
    private static readonly Dictionary<string, NamedArray> Expected = SafeTensors.Read(Numeric.Fixture("pth/expected.safetensors"));

    private static void AssertMatches(string key, NamedArray actual, string? expectedKey = null)
    {
        var e = Expected[expectedKey ?? key];
        Assert.Equal(e.Shape, actual.Shape);
        Numeric.AssertClose(e.Data, actual.Data, 0, 0, key);
        if (e.DType == "I64") Assert.Equal(e.Int64Data, actual.Int64Data);
    }

    [Fact]
    public void ReadStateDict_TorchSaveStateDict_AllValuesAndKeyOrderMatch()
    {
        var sd = PthReader.ReadStateDict(Numeric.Fixture("pth/state_dict.pth"));
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "extra.transposed", "extra.window", "extra.base", "extra.half", "extra.bf16", "extra.double", "extra.long",
            "extra.int", "extra.bool", "extra.scalar" }, sd.Keys.ToArray());
        foreach (var (k, v) in sd) AssertMatches(k, v);
    }

    [Fact]
    public void ReadStateDict_DtypesAndViews_KeepTheirTorchMeaning()
    {
        var sd = PthReader.ReadStateDict(Numeric.Fixture("pth/state_dict.pth"));
        Assert.Equal("I64", sd["1.num_batches_tracked"].DType);
        Assert.Equal(new long[] { 3 }, sd["1.num_batches_tracked"].Int64Data);
        Assert.Empty(sd["1.num_batches_tracked"].Shape);
        Assert.Equal(1L << 40, sd["extra.long"].Int64Data![2]);
        Assert.Equal("F16", sd["extra.half"].DType);
        Assert.Null(sd["extra.half"].Int64Data);
        Assert.Equal("BOOL", sd["extra.bool"].DType);
        Assert.Equal(new long[] { 5, 3 }, sd["extra.transposed"].Shape);
        // base[1:4, 2:7:2] of arange(40).reshape(5, 8) / 7
        Assert.Equal(new[] { 10f / 7, 12f / 7, 14f / 7, 18f / 7, 20f / 7, 22f / 7, 26f / 7, 28f / 7, 30f / 7 }, sd["extra.window"].Data);
    }

    [Fact]
    public void ReadStateDict_DictWithModelKey_ReturnsTheModelStateDict()
    {
        var sd = PthReader.ReadStateDict(Numeric.Fixture("pth/ckpt.pth"));
        Assert.Equal(17, sd.Count);
        foreach (var (k, v) in sd) AssertMatches(k, v);
        var root = (Dictionary<object, object?>)PthReader.Load(Numeric.Fixture("pth/ckpt.pth"))!;
        Assert.Equal(3L, root["epoch"]);
    }

    [Fact]
    public void ReadStateDict_ReferenceResumeCheckpoint_LoadsModelAndKeepsSchedulerInert()
    {
        var path = Numeric.Fixture("pth/latest.pth");
        var sd = PthReader.ReadStateDict(path);
        Assert.Equal(7, sd.Count);
        foreach (var (k, v) in sd) AssertMatches(k, v, "latest." + k);
        var root = (Dictionary<object, object?>)PthReader.Load(path)!;
        Assert.Equal(1L, root["steps"]);
        var optim = (Dictionary<object, object?>)root["optim"]!;
        var group = (Dictionary<object, object?>)((List<object?>)optim["param_groups"]!)[0]!;
        Assert.Equal(new object?[] { 0.9, 0.999 }, (object?[])group["betas"]!);
        var state0 = (Dictionary<object, object?>)((Dictionary<object, object?>)optim["state"]!)[0L]!;
        Assert.Equal(new long[] { 4, 3, 3, 3 }, ((NamedArray)state0["exp_avg"]!).Shape);
        var sched = (Dictionary<object, object?>)root["sched"]!;
        Assert.Equal(200L, sched["total_steps"]);
        var anneal = Assert.IsType<PickleObject>(sched["anneal_func"]);
        Assert.Equal("getattr", anneal.Name);
    }

    [Fact]
    public void Load_LegacyFormat_ThrowsClearFormatError()
    {
        var e = Assert.Throws<PthFormatException>(() => PthReader.Load(Numeric.Fixture("pth/legacy.pth")));
        Assert.Contains("legacy", e.Message);
    }

    private static string WriteArchive(string top, byte[] pickle, params (string Name, byte[] Data)[] extra)
    {
        var path = Path.Combine(Path.GetTempPath(), $"posekd-pth-{Guid.NewGuid():N}.pth");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Add(string name, byte[] data) { using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open(); s.Write(data); }
            Add($"{top}/data.pkl", pickle);
            Add($"{top}/version", Encoding.ASCII.GetBytes("3\n"));
            foreach (var (n, d) in extra) Add($"{top}/{n}", d);
        }
        return path;
    }

    [Fact]
    public void Load_CodeExecutingPickle_ThrowsWithoutRunningIt()
    {
        // c os\nsystem\n (S'touch x' t R . : the classic os.system payload, with a text-protocol STRING opcode.
        var payload = new byte[] { 0x80, 2 }.Concat(Encoding.ASCII.GetBytes("cos\nsystem\n(S'touch /tmp/posekd-pwned'\ntR.")).ToArray();
        var path = WriteArchive("weird_top", payload);
        try
        {
            // The global is refused before the text-protocol STRING opcode is even reached.
            var e = Assert.Throws<PthFormatException>(() => PthReader.Load(path));
            Assert.Contains("os.system", e.Message);
            Assert.Contains(path, e.Message);
            Assert.False(File.Exists("/tmp/posekd-pwned"));
        }
        finally { File.Delete(path); }
    }

    private static byte[] OsSystemCall()
    {
        // c os\nsystem\n X <len> 'ls' \x85 R : os.system('ls') (never run by PoseKD)
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes("cos\nsystem\n"));
        bytes.Add(0x58); bytes.AddRange(BitConverter.GetBytes(2)); bytes.AddRange("ls"u8.ToArray());
        bytes.AddRange(new byte[] { 0x85, 0x52 });
        return bytes.ToArray();
    }

    [Fact]
    public void Load_GlobalOutsideAllowList_ThrowsNamingGlobalAndFile()
    {
        var path = WriteArchive("archive", [0x80, 2, .. OsSystemCall(), 0x2e]);
        try
        {
            var e = Assert.Throws<PthFormatException>(() => PthReader.Load(path));
            Assert.Contains("os.system", e.Message);
            Assert.Contains(path, e.Message);
            var inert = Assert.IsType<PickleObject>(PthReader.Load(path, ["os.system"]));
            Assert.Equal("os.system", inert.FullName);
            Assert.Equal(new object?[] { "ls" }, inert.Args);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ReadStateDict_PayloadBesideModel_Refused()
    {
        // {'model': {}, 'x': os.system('ls')}: the state dict is fine, the file is still refused.
        var bytes = new List<byte> { 0x80, 2, 0x7d, 0x28 };
        bytes.Add(0x58); bytes.AddRange(BitConverter.GetBytes(5)); bytes.AddRange("model"u8.ToArray()); bytes.Add(0x7d);
        bytes.Add(0x58); bytes.AddRange(BitConverter.GetBytes(1)); bytes.AddRange("x"u8.ToArray()); bytes.AddRange(OsSystemCall());
        bytes.AddRange(new byte[] { 0x75, 0x2e });
        var path = WriteArchive("archive", bytes.ToArray());
        try
        {
            var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path));
            Assert.Contains("os.system", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 1 }, 4294967296L)]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }, long.MaxValue)]
    [InlineData(new byte[] { 0, 0, 0, 0x80, 0xff }, -2147483648L)]
    public void Load_FiveToEightByteLong_IsAnInt64(byte[] le, long expected)
    {
        var path = WriteArchive("archive", [0x80, 2, 0x8a, (byte)le.Length, .. le, 0x2e]);
        try { Assert.Equal(expected, Assert.IsType<long>(PthReader.Load(path))); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_NineByteLong_StaysBigInteger()
    {
        var path = WriteArchive("archive", [0x80, 2, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x2e]);
        try { Assert.IsType<System.Numerics.BigInteger>(PthReader.Load(path)); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_StorageEntryMissing_ThrowsNamingEntry()
    {
        var full = File.ReadAllBytes(Numeric.Fixture("pth/state_dict.pth"));
        using var src = new ZipArchive(new MemoryStream(full));
        var pkl = src.Entries.Single(e => e.FullName.EndsWith("/data.pkl"));
        using var ms = new MemoryStream();
        pkl.Open().CopyTo(ms);
        var path = WriteArchive("archive", ms.ToArray());
        try
        {
            var e = Assert.Throws<PthFormatException>(() => PthReader.Load(path));
            Assert.Contains("archive/data/0", e.Message);
        }
        finally { File.Delete(path); }
    }
}
