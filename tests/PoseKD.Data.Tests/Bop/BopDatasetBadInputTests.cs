using System.Text.Json.Nodes;
using PoseKD.Data.Bop;
using PoseKD.Data.Synthesis;
using PoseKD.Geometry;
using PoseKD.Geometry.Bop;

namespace PoseKD.Data.Tests.Bop;

/// <summary>
/// Bad annotations, built by editing a generated dataset: the training reader must refuse them with the
/// file and the field named, exactly where the evaluation's reader refuses them.
/// </summary>
public sealed class BopDatasetBadInputTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private string Copy()
    {
        string dst = Path.Combine(data.Root + "-copies", Guid.NewGuid().ToString("N"));
        foreach (var f in Directory.GetFiles(data.Root, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(dst, Path.GetRelativePath(data.Root, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        return dst;
    }

    private static BopDataset One(string root, string image = "000005") =>
        new([Path.Combine(root, "real", "000002", "rgb", image + ".png")], new ObjectModels(Path.Combine(root, "models")), null);

    private static string Gt(string root) => Path.Combine(root, "real", "000002", "scene_gt.json");

    private static void EditFirstInstance(string root, string field, string json)
    {
        var o = JsonNode.Parse(File.ReadAllText(Gt(root)))!.AsObject();
        o["5"]![0]![field] = JsonNode.Parse(json);
        File.WriteAllText(Gt(root), o.ToJsonString());
    }

    [Theory]
    [InlineData("obj_id", "1.5", "5[0].obj_id")]
    [InlineData("obj_id", "1e20", "5[0].obj_id")]
    [InlineData("cam_t_m2c", "[0, 0, 1e300]", "5[0].cam_t_m2c")]
    [InlineData("cam_R_m2c", "[0, 0, 0, 0, 0, 0, 0, 0, 0]", "5[0].cam_R_m2c")]
    [InlineData("cam_R_m2c", "[1, 0, 0, 0, 1, 0, 0, 0, -1]", "5[0].cam_R_m2c")]
    public void LoadAnnotation_BadValue_NamesField(string field, string json, string expectedField)
    {
        var root = Copy();
        EditFirstInstance(root, field, json);
        var e = Assert.Throws<BopFormatException>(() => One(root).LoadAnnotation(0));
        Assert.Equal(expectedField, e.Field);
        Assert.EndsWith("scene_gt.json", e.FilePath);
    }

    [Fact]
    public void LoadAnnotation_InfinityFrom1e309_Refused()
    {
        var root = Copy();
        EditFirstInstance(root, "cam_t_m2c", "[0, 0, 123.25]");
        File.WriteAllText(Gt(root), File.ReadAllText(Gt(root)).Replace("123.25", "1e309"));
        Assert.False(One(root).TryLoad(0, out _, out _, out var problem));
        Assert.Contains("finite", problem);
        Assert.Contains("5[0].cam_t_m2c[2]", problem);
    }

    [Fact]
    public void LoadAnnotation_NullInstance_NamesField()
    {
        var root = Copy();
        var o = JsonNode.Parse(File.ReadAllText(Gt(root)))!.AsObject();
        o["5"]!.AsArray().Insert(0, null);
        File.WriteAllText(Gt(root), o.ToJsonString());
        var e = Assert.Throws<BopFormatException>(() => One(root).LoadAnnotation(0));
        Assert.Equal("5[0]", e.Field);
    }

    [Fact]
    public void LoadAnnotation_SameImageUnderTwoKeys_RefusedLikeTheEvaluator()
    {
        var root = Copy();
        var o = JsonNode.Parse(File.ReadAllText(Gt(root)))!.AsObject();
        o["000005"] = o["5"]!.DeepClone();
        File.WriteAllText(Gt(root), o.ToJsonString());
        var data = Assert.Throws<BopFormatException>(() => One(root).LoadAnnotation(0));
        var eval = Assert.Throws<BopFormatException>(() => BopScene.Read(Path.Combine(root, "real", "000002"), 2));
        Assert.Equal(eval.Message, data.Message);
        Assert.Contains("'000005'", data.Message);
    }

    [Fact]
    public void LoadAnnotation_RepeatedKey_RefusedLikeTheEvaluator()
    {
        var root = Copy();
        string text = File.ReadAllText(Gt(root)).TrimEnd();
        File.WriteAllText(Gt(root), text[..^1] + ", \"5\": []}");
        var data = Assert.Throws<BopFormatException>(() => One(root).LoadAnnotation(0));
        var eval = Assert.Throws<BopFormatException>(() => BopScene.Read(Path.Combine(root, "real", "000002"), 2));
        Assert.Equal(eval.Message, data.Message);
        Assert.Contains("appears twice", data.Message);
    }

    [Fact]
    public void LoadAnnotation_ListedImageMissing_BlamesTheImage()
    {
        var root = Copy();
        File.Delete(Path.Combine(root, "real", "000002", "rgb", "000005.png"));
        var e = Assert.Throws<FileNotFoundException>(() => One(root).LoadAnnotation(0));
        Assert.Contains("000005.png", e.Message);
        Assert.DoesNotContain("scene_camera", e.Message);
    }

    [Fact]
    public void BoxFileRead_InfinityOrFolder_Refused()
    {
        var root = Copy();
        string box = Path.Combine(root, "linemod_bbox.json");
        string text = File.ReadAllText(box);
        int at = text.IndexOf('[', text.IndexOf('[', text.IndexOf('[') + 1) + 1) + 1;
        File.WriteAllText(box, text.Insert(at, "1e309e0, 0, 0], ["));
        var e = Assert.ThrowsAny<FormatException>(() => BoxFile.Read(box));
        Assert.Contains("linemod_bbox.json", e.Message);
        Assert.Throws<BopFormatException>(() => BoxFile.Read(root));
    }

    [Fact]
    public void FromSplitFolder_SceneFolderGiven_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => BopDataset.FromSplitFolder(Path.Combine(data.Root, "real", "000001"), Path.Combine(data.Root, "models"), null));
        Assert.Contains("scene folder", e.Message);
    }

    [Fact]
    public void FromSplitFolder_TargetsNamingNoImage_Throws()
    {
        var root = Copy();
        string t = Path.Combine(root, "targets.json");
        File.WriteAllText(t, "[{\"scene_id\": 9, \"im_id\": 1, \"obj_id\": 1, \"inst_count\": 1}]");
        Assert.Throws<ArgumentException>(() => BopDataset.FromSplitFolder(Path.Combine(root, "real"), Path.Combine(root, "models"), null, t));
        File.WriteAllText(t, "[{\"scene_id\": 1, \"im_id\": 1, \"obj_id\": 1, \"inst_count\": 0}]");
        Assert.Throws<BopFormatException>(() => BopDataset.FromSplitFolder(Path.Combine(root, "real"), Path.Combine(root, "models"), null, t));
    }
}
