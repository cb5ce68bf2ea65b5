using PoseKD.Geometry.Meshes;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Meshes;

public class MeshGeometryTests
{
    [Fact]
    public void BoxCorners_Box_FollowsBitOrder()
    {
        var c = MeshGeometry.BoxCorners([-1, -2, -3], [1, 2, 3]);
        Assert.Equal(new double[] { -1, -2, -3 }, c[0..3]);
        Assert.Equal(new double[] { -1, -2, 3 }, c[3..6]);   // corner 1: bz = 1
        Assert.Equal(new double[] { -1, 2, -3 }, c[6..9]);   // corner 2: by = 1
        Assert.Equal(new double[] { 1, -2, -3 }, c[12..15]); // corner 4: bx = 1
        Assert.Equal(new double[] { 1, 2, 3 }, c[21..24]);
    }

    [Fact]
    public void Diameter_Cube_IsSpaceDiagonal()
    {
        var cube = TestData.Cube(5);
        Numeric.AssertClose(10 * Math.Sqrt(3), MeshGeometry.Diameter(cube.Vertices), 1e-12, 0);
    }

    [Fact]
    public void Diameter_RandomCloud_EqualsBruteForce()
    {
        var rng = new Random(3);
        var v = new double[3 * 2000];
        for (int i = 0; i < v.Length; i++) v[i] = TestData.Gauss(rng) * (i % 3 + 1) * 10;
        double brute = 0;
        for (int i = 0; i < 2000; i++)
            for (int j = i + 1; j < 2000; j++)
            {
                double dx = v[3 * i] - v[3 * j], dy = v[3 * i + 1] - v[3 * j + 1], dz = v[3 * i + 2] - v[3 * j + 2];
                brute = Math.Max(brute, dx * dx + dy * dy + dz * dz);
            }
        Numeric.AssertClose(Math.Sqrt(brute), MeshGeometry.Diameter(v), 1e-12, 0);
    }

    [Fact]
    public void ModelInfoFromMesh_Cube_HasBoxAndDiameter()
    {
        var info = ModelInfo.FromMesh(TestData.Cube(2));
        Assert.Equal(new double[] { -2, -2, -2 }, info.Min);
        Assert.Equal(new double[] { 4, 4, 4 }, info.Size);
        Numeric.AssertClose(4 * Math.Sqrt(3), info.Diameter, 1e-12, 0);
    }
}
