using PoseKD.Data.Synthesis;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Tests.Synthesis;

public sealed class RasterizerTests
{
    private static readonly double[] Identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];

    [Fact]
    public void Draw_FrontFacingSquare_CoversProjectedRectangleAtItsDepth()
    {
        // a 100 mm square in the plane z = 0 of the model, 1000 mm in front of a camera with f = 500, c = (50, 40)
        var mesh = new Mesh([-50, -50, 0, 50, -50, 0, 50, 50, 0, -50, 50, 0], [0, 1, 2, 0, 2, 3], null, [200, 100, 50, 200, 100, 50, 200, 100, 50, 200, 100, 50]);
        var r = new Rasterizer(100, 80);
        r.Reset(new byte[100 * 80 * 3]);
        double[] k = [500, 0, 50, 0, 500, 40, 0, 0, 1];
        r.Draw(new RenderMesh(mesh), Identity, [0, 0, 1000], k, [0, 0, -1], 0.0, 1.0, 7);
        // projected square: x in [25, 75], y in [15, 65]
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < 100; x++)
            {
                bool inside = x >= 25 && x <= 75 && y >= 15 && y <= 65;
                bool strictlyInside = x > 25 && x < 75 && y > 15 && y < 65;
                int i = y * 100 + x;
                if (strictlyInside)
                {
                    Assert.Equal(7, r.Label[i]);
                    Assert.Equal(1000f, r.Depth[i], 3);
                    Assert.Equal(200, r.Color[3 * i]);   // Lambert with n·l = 1, ambient 0
                    Assert.Equal(100, r.Color[3 * i + 1]);
                }
                else if (!inside)
                {
                    Assert.Equal(0, r.Label[i]);
                    Assert.True(float.IsPositiveInfinity(r.Depth[i]));
                }
            }
    }

    [Fact]
    public void Draw_TwoSquares_NearerOneWins()
    {
        var sq = new Mesh([-50, -50, 0, 50, -50, 0, 50, 50, 0, -50, 50, 0], [0, 1, 2, 0, 2, 3], null, null);
        var r = new Rasterizer(100, 80);
        r.Reset(new byte[100 * 80 * 3]);
        double[] k = [500, 0, 50, 0, 500, 40, 0, 0, 1];
        var rm = new RenderMesh(sq);
        r.Draw(rm, Identity, [0, 0, 800], k, [0, 0, -1], 0.5, 0.5, 1);
        r.Draw(rm, Identity, [20, 0, 1200], k, [0, 0, -1], 0.5, 0.5, 2);
        Assert.Equal(1, r.Label[40 * 100 + 50]);
        Assert.Equal(800f, r.Depth[40 * 100 + 50], 3);
        r.Draw(rm, Identity, [0, 0, 500], k, [0, 0, -1], 0.5, 0.5, 3);
        Assert.Equal(3, r.Label[40 * 100 + 50]);
    }

    [Fact]
    public void BuiltInObjects_TwinBox_InvariantUnderZ180Only()
    {
        Assert.True(IsInvariant(BuiltInObjects.Create("twinbox"), [-1, 0, 0, 0, -1, 0, 0, 0, 1]));
        Assert.False(IsInvariant(BuiltInObjects.Create("twinbox"), [1, 0, 0, 0, -1, 0, 0, 0, -1]));
        foreach (var name in BuiltInObjects.Names.Where(n => n != BuiltInObjects.SymmetricName))
            Assert.False(IsInvariant(BuiltInObjects.Create(name), [-1, 0, 0, 0, -1, 0, 0, 0, 1]), name);
    }

    /// <summary>True when every coloured vertex maps under R onto a vertex of the same colour.</summary>
    private static bool IsInvariant(Mesh m, double[] rot)
    {
        var set = new HashSet<(long, long, long, int)>();
        for (int i = 0; i < m.VertexCount; i++) set.Add(Key(m, i, m.Vertices[3 * i], m.Vertices[3 * i + 1], m.Vertices[3 * i + 2]));
        for (int i = 0; i < m.VertexCount; i++)
        {
            double x = m.Vertices[3 * i], y = m.Vertices[3 * i + 1], z = m.Vertices[3 * i + 2];
            if (!set.Contains(Key(m, i, rot[0] * x + rot[1] * y + rot[2] * z, rot[3] * x + rot[4] * y + rot[5] * z, rot[6] * x + rot[7] * y + rot[8] * z)))
                return false;
        }
        return true;
    }

    private static (long, long, long, int) Key(Mesh m, int i, double x, double y, double z) =>
        ((long)Math.Round(x * 100), (long)Math.Round(y * 100), (long)Math.Round(z * 100),
         m.Colors![3 * i] << 16 | m.Colors[3 * i + 1] << 8 | m.Colors[3 * i + 2]);
}
