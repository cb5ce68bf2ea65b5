using System.Globalization;
using System.Text.Json.Nodes;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Geometry.Tests.Bop;

/// <summary>
/// A tiny BOP dataset in a temp folder: obj 1 = cube of half-size 10 (asymmetric), obj 2 = cube of
/// half-size 20 with a discrete 180° symmetry about z; scene 1 of split "test" has image 1 (obj 1 at
/// (0,0,500); obj 2 twice, A at (100,0,600) and B at (−100,0,600)) and image 2 (obj 1 at (0,0,700)).
/// K = [500 0 320; 0 500 240; 0 0 1].
/// </summary>
internal sealed class BopTestDataset : IDisposable
{
    public static readonly double[] I3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    public static readonly double[] K = [500, 0, 320, 0, 500, 240, 0, 0, 1];

    public string Root { get; }

    public BopTestDataset(bool withTargets = true)
    {
        Root = Path.Combine(Path.GetTempPath(), $"posekd_bop_{Guid.NewGuid():N}");
        var models = Directory.CreateDirectory(Path.Combine(Root, "models")).FullName;
        PlyWriter.Write(Path.Combine(models, "obj_000001.ply"), TestData.Cube(10));
        PlyWriter.Write(Path.Combine(models, "obj_000002.ply"), TestData.Cube(20));
        var i1 = ModelInfo.FromMesh(TestData.Cube(10));
        var i2 = ModelInfo.FromMesh(TestData.Cube(20));
        i2.SymmetriesDiscrete.Add([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        ModelsInfo.Write(Path.Combine(models, "models_info.json"), new Dictionary<int, ModelInfo> { [1] = i1, [2] = i2 });
        var scene = Directory.CreateDirectory(Path.Combine(Root, "test", "000001")).FullName;
        JsonObject Inst(int obj, double x, double y, double z) => new()
        {
            ["cam_R_m2c"] = Arr(I3), ["cam_t_m2c"] = Arr([x, y, z]), ["obj_id"] = obj,
        };
        var gt = new JsonObject
        {
            ["1"] = new JsonArray(Inst(1, 0, 0, 500), Inst(2, 100, 0, 600), Inst(2, -100, 0, 600)),
            ["2"] = new JsonArray(Inst(1, 0, 0, 700)),
        };
        File.WriteAllText(Path.Combine(scene, "scene_gt.json"), gt.ToJsonString());
        var cam = new JsonObject { ["1"] = new JsonObject { ["cam_K"] = Arr(K), ["depth_scale"] = 1.0 }, ["2"] = new JsonObject { ["cam_K"] = Arr(K), ["depth_scale"] = 1.0 } };
        File.WriteAllText(Path.Combine(scene, "scene_camera.json"), cam.ToJsonString());
        JsonObject Info(double v) => new() { ["visib_fract"] = v };
        var info = new JsonObject { ["1"] = new JsonArray(Info(1.0), Info(0.9), Info(0.8)), ["2"] = new JsonArray(Info(1.0)) };
        File.WriteAllText(Path.Combine(scene, "scene_gt_info.json"), info.ToJsonString());
        if (withTargets)
        {
            JsonObject T(int im, int obj, int n) => new() { ["im_id"] = im, ["inst_count"] = n, ["obj_id"] = obj, ["scene_id"] = 1 };
            File.WriteAllText(Path.Combine(Root, "test_targets_bop19.json"), new JsonArray(T(1, 1, 1), T(1, 2, 2), T(2, 1, 1)).ToJsonString());
        }
    }

    private static JsonArray Arr(double[] v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());

    public static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
