using System.Globalization;
using System.Text.Json.Nodes;
using PoseKD.Geometry.Bop;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Cli.Tests.Commands;

public class EvalBopCommandTests
{
    private static readonly double[] I3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

    /// <summary>Dataset root with one cube model (half-size 10) and one image with one instance at (0,0,500).</summary>
    private static string MakeDataset()
    {
        var root = Directory.CreateTempSubdirectory("posekd_evalbop_").FullName;
        var models = Directory.CreateDirectory(Path.Combine(root, "models")).FullName;
        var v = new double[24];
        for (int i = 0; i < 8; i++) { v[3 * i] = (i & 4) != 0 ? 10 : -10; v[3 * i + 1] = (i & 2) != 0 ? 10 : -10; v[3 * i + 2] = (i & 1) != 0 ? 10 : -10; }
        var mesh = new Mesh(v, [0, 1, 3, 0, 3, 2]);
        PlyWriter.Write(Path.Combine(models, "obj_000001.ply"), mesh);
        ModelsInfo.Write(Path.Combine(models, "models_info.json"), new Dictionary<int, ModelInfo> { [1] = ModelInfo.FromMesh(mesh) });
        var scene = Directory.CreateDirectory(Path.Combine(root, "test", "000001")).FullName;
        JsonArray A(params double[] x) => new(x.Select(d => (JsonNode)JsonValue.Create(d)).ToArray());
        File.WriteAllText(Path.Combine(scene, "scene_gt.json"), new JsonObject
        {
            ["3"] = new JsonArray(new JsonObject { ["cam_R_m2c"] = A(I3), ["cam_t_m2c"] = A(0, 0, 500), ["obj_id"] = 1 }),
        }.ToJsonString());
        File.WriteAllText(Path.Combine(scene, "scene_camera.json"), new JsonObject
        {
            ["3"] = new JsonObject { ["cam_K"] = A(500, 0, 320, 0, 500, 240, 0, 0, 1) },
        }.ToJsonString());
        File.WriteAllText(Path.Combine(root, "test_targets_bop19.json"), "[{\"im_id\": 3, \"inst_count\": 1, \"obj_id\": 1, \"scene_id\": 1}]");
        return root;
    }

    [Fact]
    public void Main_ResultsCsv_WritesErrorsAndSucceeds()
    {
        var root = MakeDataset();
        try
        {
            var results = Path.Combine(root, "results.csv");
            BopResultsCsv.Write(results, [new BopResult(1, 3, 1, 0.9, I3, [3, 4, 500])]);
            var errors = Path.Combine(root, "errors.csv");
            Assert.Equal(0, Program.Main(["eval-bop", "--dataset", root, "--split", "test", "--results", results, "--errors-out", errors]));
            var lines = File.ReadAllLines(errors);
            Assert.Equal(2, lines.Length);
            var f = lines[1].Split(',');
            Assert.Equal("1", f[0]);
            Assert.Equal("3", f[1]);
            Assert.Equal(5.0, double.Parse(f[6], CultureInfo.InvariantCulture), 9); // ADD = ‖(3, 4, 0)‖
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Main_MissingRequiredOption_Fails()
    {
        Assert.NotEqual(0, Program.Main(["eval-bop", "--dataset", "/tmp"]));
    }

    [Fact]
    public void Main_MalformedResults_ReturnsError()
    {
        var root = MakeDataset();
        try
        {
            var results = Path.Combine(root, "results.csv");
            File.WriteAllText(results, "scene_id,im_id,obj_id,score,R,t,time\n1,3,1,0.9,1 0 0,0 0 500,-1\n");
            Assert.Equal(1, Program.Main(["eval-bop", "--dataset", root, "--split", "test", "--results", results]));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Main_Help_Succeeds()
    {
        Assert.Equal(0, Program.Main(["eval-bop", "--help"]));
    }
}
