using PoseKD.Engine.Nn;
using PoseKD.Engine.Serialization;

namespace PoseKD.Engine.Tests.Serialization;

/// <summary>
/// The .pth writer round-trips through PoseKD's own importer here; tools/golden/pth_export_check.py checks the
/// same files with torch.load + load_state_dict(strict=True).
/// </summary>
public sealed class PthWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-pthw-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void WriteStateDict_ReadBackWithPthReader_SameKeysShapesAndValues()
    {
        var net = new Sequential(new Conv2d(3, 4, 3, padding: 1, bias: false), new BatchNorm2d(4), new LeakyReLU(0.1f), new Conv2d(4, 2, 1, bias: true));
        var g = new PoseKD.Engine.Tensors.Generator(5);
        foreach (var p in net.Parameters()) for (int i = 0; i < p.Data.Length; i++) p.Data[i] = g.NextNormal();
        var sd = net.StateDict();
        sd["extra.double"] = NamedArray.FromFloat64([1.5, -2.25], 2);
        sd["extra.big_int"] = NamedArray.FromInt64([5_000_000_000L, -3, 300], 3);
        sd["extra.scalar"] = NamedArray.FromFloats([3.5f]);
        string path = Path.Combine(_dir, "w.pth");
        PthWriter.WriteStateDict(path, sd);
        var back = PthReader.ReadStateDict(path);
        Assert.Equal(sd.Keys, back.Keys);
        foreach (var (k, v) in sd)
        {
            Assert.Equal(v.Shape, back[k].Shape);
            if (v.DType == "I64") Assert.Equal(v.Int64Data, back[k].Int64Data);
            else if (v.DType == "F64") Assert.Equal(v.Float64Data!.Select(x => (float)x), back[k].Data);
            else Assert.True(v.Data.AsSpan().SequenceEqual(back[k].Data), k);
        }
        var fresh = new Sequential(new Conv2d(3, 4, 3, padding: 1, bias: false), new BatchNorm2d(4), new LeakyReLU(0.1f), new Conv2d(4, 2, 1, bias: true));
        Checkpoint.LoadWeights(path, fresh, strict: false);
        Assert.True(fresh.StateDict()["0.weight"].Data.AsSpan().SequenceEqual(sd["0.weight"].Data));
        Assert.False(File.Exists(path + ".tmp-" + Environment.ProcessId));
        // for tools/golden/pth_export_check.py (torch.load + load_state_dict(strict=True)): copy the pair out on request
        if (Environment.GetEnvironmentVariable("POSEKD_PTH_EXPORT_DIR") is { Length: > 0 } export)
        {
            Directory.CreateDirectory(export);
            File.Copy(path, Path.Combine(export, "sequential.pth"), overwrite: true);
            SafeTensors.WriteArrays(Path.Combine(export, "sequential.safetensors"), sd);
        }
    }

    [Fact]
    public void WriteStateDict_DataEntriesAre64ByteAligned()
    {
        string path = Path.Combine(_dir, "a.pth");
        PthWriter.WriteStateDict(path, new Dictionary<string, NamedArray> { ["a"] = NamedArray.FromFloats([1f, 2f, 3f], 3), ["bb"] = NamedArray.FromFloats([4f], 1) });
        var bytes = File.ReadAllBytes(path);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes));
        Assert.Equal(["archive/data.pkl", "archive/data/0", "archive/data/1", "archive/version"], zip.Entries.Select(e => e.FullName));
        // find the raw float 1,2,3 and check its offset
        var needle = new byte[12];
        BitConverter.GetBytes(1f).CopyTo(needle, 0); BitConverter.GetBytes(2f).CopyTo(needle, 4); BitConverter.GetBytes(3f).CopyTo(needle, 8);
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at > 0);
        Assert.Equal(0, at % 64);
    }

    [Fact]
    public void WriteStateDict_UnsupportedDType_ThrowsNamingKey()
    {
        var e = Assert.Throws<ArgumentException>(() => PthWriter.WriteStateDict(Path.Combine(_dir, "x.pth"),
            new Dictionary<string, NamedArray> { ["w"] = new() { Shape = [1], DType = "U8", Data = [0f] } }));
        Assert.Contains("'w'", e.Message);
    }
}
