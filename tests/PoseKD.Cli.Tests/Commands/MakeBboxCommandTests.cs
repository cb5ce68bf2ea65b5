using System.Text.Json.Nodes;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Cli.Tests.Commands;

public class MakeBboxCommandTests
{
    private static Mesh Box(double sx, double sy, double sz, double ox)
    {
        var v = new double[24];
        for (int i = 0; i < 8; i++)
        {
            v[3 * i] = ox + ((i & 4) != 0 ? sx : -sx);
            v[3 * i + 1] = (i & 2) != 0 ? sy : -sy;
            v[3 * i + 2] = (i & 1) != 0 ? sz : -sz;
        }
        return new Mesh(v, [0, 1, 2, 1, 3, 2]);
    }

    [Fact]
    public void Main_TwoModels_WritesCornersInSortedOrder()
    {
        var dir = Directory.CreateTempSubdirectory("posekd_bbox_").FullName;
        try
        {
            PlyWriter.Write(Path.Combine(dir, "obj_000002.ply"), Box(1, 2, 3, 0));
            PlyWriter.Write(Path.Combine(dir, "obj_000001.ply"), Box(10, 20, 30, 5), binary: false);
            var outPath = Path.Combine(dir, "out", "linemod_bbox.json");
            Assert.Equal(0, Program.Main(["make-bbox", dir, outPath]));
            var root = JsonNode.Parse(File.ReadAllText(outPath))!.AsArray();
            Assert.Equal(2, root.Count);
            double[] C(int model, int corner) => root[model]![corner]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
            Assert.Equal(new double[] { -5, -20, -30 }, C(0, 0));
            Assert.Equal(new double[] { -5, -20, 30 }, C(0, 1));
            Assert.Equal(new double[] { -5, 20, -30 }, C(0, 2));
            Assert.Equal(new double[] { 15, -20, -30 }, C(0, 4));
            Assert.Equal(new double[] { 1, 2, 3 }, C(1, 7));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Main_MissingFolder_ReturnsError()
    {
        Assert.NotEqual(0, Program.Main(["make-bbox", "/nonexistent/posekd/models", "/tmp/x.json"]));
    }

    [Fact]
    public void Main_Help_Succeeds()
    {
        Assert.Equal(0, Program.Main(["make-bbox", "--help"]));
    }
}
