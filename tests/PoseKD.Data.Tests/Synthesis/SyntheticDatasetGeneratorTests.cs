using System.Text.Json;
using PoseKD.Data.Imaging;
using PoseKD.Data.Synthesis;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Tests.Synthesis;

public sealed class SyntheticDatasetGeneratorTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    [Fact]
    public void Generate_SameSeedDifferentThreadCounts_ByteIdenticalFiles()
    {
        string other = Path.Combine(Path.GetTempPath(), $"posekd-small-1t-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            SyntheticDatasetGenerator.Generate(SmallDataset.Options(other, threads: 1));
            var a = Directory.GetFiles(data.Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(data.Root, f)).Order().ToList();
            var b = Directory.GetFiles(other, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(other, f)).Order().ToList();
            Assert.Equal(a, b);
            foreach (var f in a) Assert.True(File.ReadAllBytes(Path.Combine(data.Root, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(other, f))), f);
        }
        finally
        {
            if (Directory.Exists(other)) Directory.Delete(other, true);
        }
    }

    [Fact]
    public void Generate_DifferentSeed_DifferentImages()
    {
        string other = Path.Combine(Path.GetTempPath(), $"posekd-small-s-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            SyntheticDatasetGenerator.Generate(SmallDataset.Options(other, threads: 2, seed: 4));
            var f = Path.Combine("real", "000001", "rgb", "000000.png");
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(data.Root, f)), File.ReadAllBytes(Path.Combine(other, f)));
        }
        finally
        {
            if (Directory.Exists(other)) Directory.Delete(other, true);
        }
    }

    [Fact]
    public void Generate_WritesReferenceLayout()
    {
        string r = data.Root;
        Assert.True(File.Exists(Path.Combine(r, "models", "obj_000001.ply")));
        Assert.True(File.Exists(Path.Combine(r, "models", "obj_000002.ply")));
        var infos = ModelsInfo.Read(Path.Combine(r, "models", "models_info.json"));
        Assert.Equal([1, 2], infos.Keys);
        Assert.False(infos[1].IsSymmetric);
        Assert.Single(infos[2].SymmetriesDiscrete);
        foreach (var sub in new[] { "rgb", "depth", "mask", "mask_visib" })
            Assert.True(Directory.Exists(Path.Combine(r, "real", "000002", sub)), sub);
        foreach (var j in new[] { "scene_camera.json", "scene_gt.json", "scene_gt_info.json" })
            using (JsonDocument.Parse(File.ReadAllBytes(Path.Combine(r, "real", "000001", j)))) { }
        var train = File.ReadAllLines(Path.Combine(r, "000001_train.txt"));
        var test = File.ReadAllLines(Path.Combine(r, "000001_test.txt"));
        Assert.Equal(2, train.Length);
        Assert.Equal(4, test.Length);
        Assert.Empty(train.Intersect(test));
        Assert.All(train.Concat(test), l => Assert.Matches(@"^real/000001/rgb/\d{6}\.png$", l));
        string yaml = File.ReadAllText(Path.Combine(r, "000002_twinbox.yaml"));
        foreach (var key in new[] { "BACKBONE:", "TRAIN: './000002_train.txt'", "MESH_DIR:", "BBOX_FILE:", "MESH_DIAMETERS:", "\"cls_1\":['Z',180]", "N_CLASS: 3", "INTERNAL_K:", "AUGMENTATION_SHIFT: 0.05", "CONFIDENCE_TH: 0.1" })
            Assert.Contains(key, yaml);
        var depth = ImageFile.Read16(Path.Combine(r, "real", "000001", "depth", "000000.png"));
        Assert.Equal((160, 120, 1), (depth.Width, depth.Height, depth.Channels));
    }

    [Fact]
    public void Generate_MasksAndBoxesAgreeWithPoses()
    {
        string scene = Path.Combine(data.Root, "real", "000001");
        using var gt = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(scene, "scene_gt.json")));
        using var info = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(scene, "scene_gt_info.json")));
        var mesh = PlyReader.Read(Path.Combine(data.Root, "models", "obj_000001.ply"));
        var corners = MeshGeometry.BoxCorners(mesh.Vertices);
        for (int i = 0; i < 6; i++)
        {
            var g = gt.RootElement.GetProperty(i.ToString())[0];
            double[] rot = g.GetProperty("cam_R_m2c").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] t = g.GetProperty("cam_t_m2c").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var px = new double[16];
            Camera.Project(rot, t, SmallDataset.K, corners, px);
            double x0 = Enumerable.Range(0, 8).Min(k => px[2 * k]), x1 = Enumerable.Range(0, 8).Max(k => px[2 * k]);
            double y0 = Enumerable.Range(0, 8).Min(k => px[2 * k + 1]), y1 = Enumerable.Range(0, 8).Max(k => px[2 * k + 1]);
            var mask = ImageFile.Read(Path.Combine(scene, "mask", $"{i:D6}_000000.png"));
            var visib = ImageFile.Read(Path.Combine(scene, "mask_visib", $"{i:D6}_000000.png"));
            int all = 0, vis = 0;
            for (int y = 0; y < mask.Height; y++)
                for (int x = 0; x < mask.Width; x++)
                {
                    byte m = mask.Data[y * mask.Width + x], v = visib.Data[y * mask.Width + x];
                    Assert.True(m is 0 or 255);
                    Assert.True(v == 0 || m == 255, "visible pixel outside the full mask");
                    if (m == 255)
                    {
                        all++;
                        Assert.InRange(x, x0 - 1, x1 + 1);
                        Assert.InRange(y, y0 - 1, y1 + 1);
                    }
                    if (v == 255) vis++;
                }
            var inf = info.RootElement.GetProperty(i.ToString())[0];
            Assert.Equal(all, inf.GetProperty("px_count_all").GetInt32());
            Assert.Equal(vis, inf.GetProperty("px_count_visib").GetInt32());
            Assert.True(all > 50, $"image {i}: object covers only {all} px");
        }
    }

    [Fact]
    public void Split_Deterministic_DisjointAndComplete()
    {
        var (tr, te) = SyntheticDatasetGenerator.Split(100, 0.15, 7, 3);
        Assert.Equal(15, tr.Count);
        Assert.Equal(Enumerable.Range(0, 100), tr.Concat(te).Order());
        Assert.Equal(tr, SyntheticDatasetGenerator.Split(100, 0.15, 7, 3).Train);
    }
}
