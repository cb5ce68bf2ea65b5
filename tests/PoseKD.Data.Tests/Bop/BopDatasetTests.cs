using System.Text.Json;
using PoseKD.Data.Bop;
using PoseKD.Data.Imaging;
using PoseKD.Geometry;

namespace PoseKD.Data.Tests.Bop;

public sealed class BopDatasetTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private string Models(string root) => Path.Combine(root, "models");

    private string Box(string root) => Path.Combine(root, "linemod_bbox.json");

    [Fact]
    public void FromListFile_GeneratedDataset_ReadsPosesMasksAndClasses()
    {
        var ds = BopDataset.FromListFile(Path.Combine(data.Root, "000002_test.txt"), Models(data.Root), Box(data.Root));
        Assert.Equal(4, ds.Count);
        Assert.Equal(2, ds.Keypoints!.Length);
        Assert.Equal([1, 2], ds.Models.ObjIds);
        using var gt = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data.Root, "real", "000002", "scene_gt.json")));
        for (int i = 0; i < ds.Count; i++)
        {
            var s = ds.LoadAnnotation(i);
            var img = ds.LoadImage(i, s);
            Assert.Equal((160, 120, 3), (img.Width, img.Height, img.Channels));
            Assert.Equal(SmallDataset.K, s.K);
            var inst = Assert.Single(s.Instances);
            Assert.Equal(1, inst.ClassId);
            Assert.Equal(2, inst.ObjId);
            var g = gt.RootElement.GetProperty(s.ImId.ToString())[0];
            Assert.Equal(g.GetProperty("cam_R_m2c").EnumerateArray().Select(e => e.GetDouble()), inst.R);
            Assert.Equal(g.GetProperty("cam_t_m2c").EnumerateArray().Select(e => e.GetDouble()), inst.T);
            var mask = ImageFile.Read(Path.Combine(s.SceneDir, "mask_visib", $"{s.ImId:D6}_000000.png"));
            for (int p = 0; p < s.Labels.Length; p++) Assert.Equal(mask.Data[p] == 255 ? 1 : 0, s.Labels[p]);
        }
    }

    [Fact]
    public void TryLoad_WithCache_SecondReadReusesTheDecodedImageWithinTheBudget()
    {
        var plain = BopDataset.FromListFile(Path.Combine(data.Root, "000002_test.txt"), Models(data.Root), Box(data.Root));
        var cached = BopDataset.FromListFile(Path.Combine(data.Root, "000002_test.txt"), Models(data.Root), Box(data.Root));
        Assert.True(plain.TryLoad(0, out var s0, out var i0, out _));
        cached.CacheBytes = 1L << 30;
        Assert.True(cached.TryLoad(0, out var s1, out var i1, out _));
        Assert.True(cached.TryLoad(0, out var s2, out var i2, out _));
        Assert.Same(i1, i2);
        Assert.Same(s1, s2);
        Assert.Equal(i0!.Data, i2!.Data);
        Assert.Equal(s0!.Labels, s2!.Labels);
        Assert.True(cached.CachedBytes >= i0.Data.Length);
        // a budget smaller than one image caches nothing
        var tiny = BopDataset.FromListFile(Path.Combine(data.Root, "000002_test.txt"), Models(data.Root), Box(data.Root));
        tiny.CacheBytes = 100;
        Assert.True(tiny.TryLoad(0, out _, out var j1, out _));
        Assert.True(tiny.TryLoad(0, out _, out var j2, out _));
        Assert.NotSame(j1, j2);
        Assert.Equal(0, tiny.CachedBytes);
    }

    [Fact]
    public void FromListFile_AbsolutePathsAndPaddedKeys_Accepted()
    {
        var root = Copy();
        string scene = Path.Combine(root, "real", "000001");
        // rewrite both scene files with the zero-padded key style
        foreach (var f in new[] { "scene_gt.json", "scene_camera.json" })
        {
            string text = File.ReadAllText(Path.Combine(scene, f));
            for (int i = 0; i < 6; i++) text = text.Replace($"\"{i}\":", $"\"{i:D6}\":");
            File.WriteAllText(Path.Combine(scene, f), text);
        }
        string list = Path.Combine(root, "abs.txt");
        File.WriteAllLines(list, [Path.Combine(scene, "rgb", "000003.png"), "", "real/000001/rgb/000004.png"]);
        var ds = BopDataset.FromListFile(list, Models(root), null);
        Assert.Equal(2, ds.Count);
        Assert.Single(ds.LoadAnnotation(0).Instances);
        Assert.Equal(4, ds.LoadAnnotation(1).ImId);
    }

    [Fact]
    public void LoadAnnotation_MissingSceneJson_NamesFile()
    {
        var root = Copy();
        File.Delete(Path.Combine(root, "real", "000001", "scene_gt.json"));
        var ds = BopDataset.FromListFile(Path.Combine(root, "000001_test.txt"), Models(root), Box(root));
        var e = Assert.Throws<FileNotFoundException>(() => ds.LoadAnnotation(0));
        Assert.Contains("scene_gt.json", e.Message);
        Assert.False(ds.TryLoad(0, out _, out _, out var problem));
        Assert.Contains("scene_gt.json", problem);
    }

    [Fact]
    public void LoadAnnotation_WrongPoseLength_NamesFieldAndExpectation()
    {
        var root = Copy();
        string f = Path.Combine(root, "real", "000001", "scene_gt.json");
        var text = File.ReadAllText(f);
        int at = text.IndexOf("\"cam_t_m2c\": [", StringComparison.Ordinal) + "\"cam_t_m2c\": [".Length;
        File.WriteAllText(f, text.Insert(at, "1.5, "));
        var ds = BopDataset.FromListFile(Path.Combine(root, "000001_train.txt"), Models(root), Box(root));
        int idx = ds.ImagePaths.ToList().FindIndex(p => p.EndsWith("000000.png", StringComparison.Ordinal));
        if (idx < 0)
        {
            ds = new BopDataset([Path.Combine(root, "real", "000001", "rgb", "000000.png")], ds.Models, ds.Keypoints);
            idx = 0;
        }
        var e = Assert.Throws<BopFormatException>(() => ds.LoadAnnotation(idx));
        Assert.Contains("cam_t_m2c", e.Message);
        Assert.Contains("3 numbers", e.Message);
    }

    [Fact]
    public void LoadAnnotation_MissingMask_NamesExpectedPath()
    {
        var root = Copy();
        string mask = Path.Combine(root, "real", "000002", "mask_visib", "000005_000000.png");
        File.Delete(mask);
        var ds = new BopDataset([Path.Combine(root, "real", "000002", "rgb", "000005.png")], new ObjectModels(Models(root)), null);
        var e = Assert.Throws<FileNotFoundException>(() => ds.LoadAnnotation(0));
        Assert.Contains(mask, e.Message);
    }

    [Fact]
    public void LoadAnnotation_MissingImageKey_NamesKeys()
    {
        var root = Copy();
        string f = Path.Combine(root, "real", "000002", "scene_camera.json");
        File.WriteAllText(f, File.ReadAllText(f).Replace("\"5\":", "\"55\":"));
        var ds = new BopDataset([Path.Combine(root, "real", "000002", "rgb", "000005.png")], new ObjectModels(Models(root)), null);
        var e = Assert.Throws<BopFormatException>(() => ds.LoadAnnotation(0));
        Assert.Contains("scene_camera.json", e.Message);
        Assert.Contains("000005", e.Message);
    }

    [Fact]
    public void LoadAnnotation_UnknownObjId_SkipsInstance()
    {
        var root = Copy();
        File.Delete(Path.Combine(root, "models", "obj_000001.ply"));
        var ds = new BopDataset([Path.Combine(root, "real", "000001", "rgb", "000000.png")], new ObjectModels(Models(root)), null);
        var s = ds.LoadAnnotation(0);
        Assert.Empty(s.Instances);
        Assert.Equal(1, s.SkippedInstances);
        Assert.Equal(0, ds.Models.ClassOfObj[2]);
    }

    [Fact]
    public void LoadImage_UnexpectedSize_Reported()
    {
        var ds = new BopDataset([Path.Combine(data.Root, "real", "000001", "rgb", "000000.png")], new ObjectModels(Models(data.Root)), null)
        {
            ExpectedSize = (640, 480),
        };
        Assert.False(ds.TryLoad(0, out _, out _, out var problem));
        Assert.Contains("expected 640×480", problem);
    }

    [Fact]
    public void TryLoad_CorruptImage_ReportsFile()
    {
        var root = Copy();
        string img = Path.Combine(root, "real", "000001", "rgb", "000002.png");
        var bytes = File.ReadAllBytes(img);
        File.WriteAllBytes(img, bytes[..(bytes.Length / 2)]);
        var ds = new BopDataset([img], new ObjectModels(Models(root)), null);
        Assert.False(ds.TryLoad(0, out _, out _, out var problem));
        Assert.Contains("000002.png", problem);
    }

    [Fact]
    public void FromSplitFolder_AllScenesOrTargets()
    {
        var root = Copy();
        Directory.Move(Path.Combine(root, "real"), Path.Combine(root, "test"));
        var all = BopDataset.FromSplitFolder(Path.Combine(root, "test"), Models(root), Box(root));
        Assert.Equal(12, all.Count);
        string targets = Path.Combine(root, "test_targets_bop19.json");
        File.WriteAllText(targets, "[{\"im_id\": 3, \"inst_count\": 1, \"obj_id\": 1, \"scene_id\": 1}, {\"im_id\": 0, \"inst_count\": 1, \"obj_id\": 2, \"scene_id\": 2}]");
        var some = BopDataset.FromSplitFolder(Path.Combine(root, "test"), Models(root), Box(root), targets);
        Assert.Equal(2, some.Count);
        Assert.Equal(3, some.LoadAnnotation(0).ImId);
        Assert.Equal(1, some.LoadAnnotation(1).Instances[0].ClassId);
    }

    [Fact]
    public void BoxFile_MalformedCorners_NamesClass()
    {
        var root = Copy();
        File.WriteAllText(Box(root), "[[[0,0,0],[1,1,1]]]");
        var e = Assert.Throws<BopFormatException>(() => BoxFile.Read(Box(root)));
        Assert.Contains("[0]", e.Message);
        Assert.Contains("8 corners", e.Message);
    }

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
}
