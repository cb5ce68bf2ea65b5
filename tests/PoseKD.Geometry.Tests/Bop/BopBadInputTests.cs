using System.Buffers.Binary;
using System.Text.Json.Nodes;
using PoseKD.Geometry.Bop;
using PoseKD.Geometry.Meshes;
using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Bop;

/// <summary>
/// Bad inputs to the evaluation: each must stop with an error naming the file and the field (or, behind an
/// explicit option, be counted), never crash and never give a quietly wrong score.
/// </summary>
public class BopBadInputTests
{
    private static readonly double[] I3 = BopTestDataset.I3;

    private static string Scene(BopTestDataset ds) => Path.Combine(ds.Root, "test", "000001");

    private static void EditGt(BopTestDataset ds, Action<JsonObject> edit)
    {
        string p = Path.Combine(Scene(ds), "scene_gt.json");
        var o = JsonNode.Parse(File.ReadAllText(p))!.AsObject();
        edit(o);
        File.WriteAllText(p, o.ToJsonString());
    }

    private static byte[] PngHeader(int width, int height)
    {
        var b = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }.CopyTo(b, 0);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), 13);
        "IHDR"u8.CopyTo(b.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), height);
        b[24] = 8; b[25] = 2;
        uint c = 0xffffffffu;
        foreach (byte x in b.AsSpan(12, 17)) { c ^= x; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1; }
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(29), c ^ 0xffffffffu);
        return b;
    }

    [Fact]
    public void Evaluate_CameraJsonWidth_ScalesMspdAndWinsOverPng()
    {
        using var ds = new BopTestDataset();
        Directory.CreateDirectory(Path.Combine(Scene(ds), "rgb"));
        File.WriteAllBytes(Path.Combine(Scene(ds), "rgb", "000001.png"), PngHeader(1280, 960));
        double png = BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()).Overall.ArMspd;
        File.WriteAllText(Path.Combine(ds.Root, "camera.json"), "{\"cx\": 320, \"cy\": 240, \"fx\": 500, \"fy\": 500, \"width\": 640, \"height\": 480}");
        double cam = BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()).Overall.ArMspd;
        Numeric.AssertClose(0.725, cam, 1e-12, 0, "AR_MSPD at the camera file's 640 px");
        Assert.True(png > cam, $"at 1280 px the errors are halved, so AR_MSPD {png} must exceed {cam}");
    }

    [Fact]
    public void Evaluate_FlippedBitInPngHeader_ThrowsInsteadOfScaling()
    {
        using var ds = new BopTestDataset();
        Directory.CreateDirectory(Path.Combine(Scene(ds), "rgb"));
        var head = PngHeader(640, 480);
        head[18] ^= 0x01; // width 640 → 66176, CRC no longer matches
        File.WriteAllBytes(Path.Combine(Scene(ds), "rgb", "000001.png"), head);
        var e = Assert.Throws<BopFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("CRC", e.Message);
        Assert.EndsWith("000001.png", e.FilePath);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-640)]
    public void Evaluate_NonPositiveImageWidth_Throws(int width)
    {
        using var ds = new BopTestDataset();
        Assert.Throws<ArgumentException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates(), options: new BopEvaluationOptions { ImageWidth = width }));
    }

    public static TheoryData<double[]> NotRotations => new()
    {
        new double[9],
        I3.Select(v => 0.01 * v).ToArray(),
        new double[] { -1, 0, 0, 0, 1, 0, 0, 0, 1 },
        new double[] { 0, 1, 0, 1, 0, 0, 0, 0, 1 },
    };

    [Theory]
    [MemberData(nameof(NotRotations))]
    public void Evaluate_EstimateNotARotation_ThrowsUnlessCountedAsFailed(double[] r)
    {
        using var ds = new BopTestDataset();
        var est = BopEvaluatorTests.Estimates();
        est[0] = est[0] with { R = r };
        Assert.Throws<ArgumentException>(() => BopEvaluator.Evaluate(ds.Root, "test", est));
        var ev = BopEvaluator.Evaluate(ds.Root, "test", est, options: new BopEvaluationOptions { CountInvalidRotationsAsFailed = true });
        Assert.Equal(0.0, ev.Objects.Single(o => o.ObjId == 1).AddRecall); // the only obj-1 estimate failed
        Assert.Contains(ev.Notes, n => n.StartsWith("1 estimate(s) are not rotations", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1e309")]
    [InlineData("\"20\"")]
    public void ModelsInfoRead_BadDiameter_ThrowsNamingField(string diameter)
    {
        using var ds = new BopTestDataset();
        string p = Path.Combine(ds.Root, "models", "models_info.json");
        File.WriteAllText(p, "{\"1\": {\"diameter\": " + diameter + "}}");
        var e = Assert.Throws<BopFormatException>(() => ModelsInfo.Read(p));
        Assert.Equal("1.diameter", e.Field);
        Assert.Throws<BopFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
    }

    [Theory]
    [InlineData("cam_R_m2c", "[1e308, 0, 0, 0, 1, 0, 0, 0, 1]")]
    [InlineData("cam_R_m2c", "[1, 0, 0, 0, 1, 0, 0, 0, -1]")]
    [InlineData("cam_R_m2c", "[1, 0, 0, 0, 1, 0, 0, 0, NaN]")]
    [InlineData("cam_t_m2c", "[0, 0, 1e309]")]
    [InlineData("cam_t_m2c", "[0, 0, 1e200]")]
    [InlineData("obj_id", "1.5")]
    [InlineData("obj_id", "1e20")]
    public void Evaluate_BadGroundTruthValue_ThrowsNamingFileAndField(string field, string json)
    {
        using var ds = new BopTestDataset();
        string p = Path.Combine(Scene(ds), "scene_gt.json");
        string text = File.ReadAllText(p);
        var o = JsonNode.Parse(text)!.AsObject();
        string original = o["1"]![0]![field]!.ToJsonString();
        int at = text.IndexOf($"\"{field}\":{original}", StringComparison.Ordinal);
        Assert.True(at >= 0);
        File.WriteAllText(p, text[..at] + $"\"{field}\":{json}" + text[(at + field.Length + 3 + original.Length)..]);
        var e = Assert.ThrowsAny<FormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("scene_gt.json", e.Message);
        if (e is BopFormatException b) Assert.True(b.Field.StartsWith("1[0]", StringComparison.Ordinal) || b.Field == "(document)", b.Field); // NaN is not JSON
    }

    [Fact]
    public void Evaluate_NullInstance_ThrowsNamingField()
    {
        using var ds = new BopTestDataset();
        EditGt(ds, o => o["2"] = new JsonArray((JsonNode?)null));
        var e = Assert.Throws<BopFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Equal("2[0]", e.Field);
    }

    [Fact]
    public void Evaluate_SameImageUnderTwoKeys_ThrowsNamingBoth()
    {
        using var ds = new BopTestDataset();
        EditGt(ds, o => o["000001"] = o["1"]!.DeepClone());
        var e = Assert.Throws<BopFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("'1'", e.Message);
        Assert.Contains("'000001'", e.Message);
    }

    [Fact]
    public void Evaluate_RepeatedKey_Throws()
    {
        using var ds = new BopTestDataset();
        string p = Path.Combine(Scene(ds), "scene_gt.json");
        string text = File.ReadAllText(p);
        File.WriteAllText(p, text.TrimEnd('}') + ",\"2\":[]}");
        var e = Assert.Throws<BopFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("appears twice", e.Message);
        Assert.Equal("2", e.Field);
    }

    [Fact]
    public void Evaluate_SceneWithoutGroundTruth_Throws()
    {
        using var ds = new BopTestDataset(withTargets: false);
        var other = Directory.CreateDirectory(Path.Combine(ds.Root, "test", "000002")).FullName;
        File.Copy(Path.Combine(Scene(ds), "scene_camera.json"), Path.Combine(other, "scene_camera.json"));
        var e = Assert.Throws<FileNotFoundException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("scene 2", e.Message);
    }

    [Fact]
    public void Evaluate_SplitIsASceneFolder_Throws()
    {
        using var ds = new BopTestDataset(withTargets: false);
        var e = Assert.Throws<ArgumentException>(() => BopEvaluator.Evaluate(ds.Root, Path.Combine("test", "000001"), BopEvaluatorTests.Estimates()));
        Assert.Contains("scene folder", e.Message);
    }

    [Theory]
    [InlineData("[{\"scene_id\": 1, \"im_id\": 1, \"obj_id\": 1, \"inst_count\": 0}]", "[0].inst_count")]
    [InlineData("[{\"scene_id\": 1, \"im_id\": 1, \"obj_id\": 1, \"inst_count\": -2}]", "[0].inst_count")]
    [InlineData("[{\"scene_id\": 1, \"im_id\": 1, \"obj_id\": 1}, {\"scene_id\": 1, \"im_id\": 1, \"obj_id\": 1}]", "[1]")]
    [InlineData("[{\"scene_id\": 1, \"im_id\": 1e20, \"obj_id\": 1}]", "[0].im_id")]
    [InlineData("[null]", "[0]")]
    public void ReadTargets_BadTarget_ThrowsNamingField(string json, string field)
    {
        using var ds = new BopTestDataset();
        string p = Path.Combine(ds.Root, "test_targets_bop19.json");
        File.WriteAllText(p, json);
        var e = Assert.Throws<BopFormatException>(() => BopScene.ReadTargets(p));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Evaluate_EmptyTargets_Throws()
    {
        using var ds = new BopTestDataset();
        File.WriteAllText(Path.Combine(ds.Root, "test_targets_bop19.json"), "[]");
        Assert.Throws<ArgumentException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
    }

    [Fact]
    public void Evaluate_NanVertexInModel_ThrowsNamingFile()
    {
        using var ds = new BopTestDataset();
        string ply = Path.Combine(ds.Root, "models", "obj_000001.ply");
        File.WriteAllText(ply, "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\nnan 1 0\n0 0 1\n");
        var e = Assert.Throws<PlyFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("obj_000001.ply", e.Message);
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void Evaluate_ObjectMissingFromModelsInfoWithPointModel_Throws()
    {
        using var ds = new BopTestDataset();
        ModelsInfo.Write(Path.Combine(ds.Root, "models", "models_info.json"), new Dictionary<int, ModelInfo> { [2] = ModelInfo.FromMesh(TestData.Cube(20)) });
        File.WriteAllText(Path.Combine(ds.Root, "models", "obj_000001.ply"), "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 1 1\n1 1 1\n");
        var e = Assert.Throws<PlyFormatException>(() => BopEvaluator.Evaluate(ds.Root, "test", BopEvaluatorTests.Estimates()));
        Assert.Contains("diameter", e.Message);
    }
}
