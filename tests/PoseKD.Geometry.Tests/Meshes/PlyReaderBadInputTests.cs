using System.Text;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Geometry.Tests.Meshes;

/// <summary>Meshes that must be refused with the file, the vertex and the property named.</summary>
public class PlyReaderBadInputTests
{
    private const string Header = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n";

    [Theory]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("-Infinity")]
    [InlineData("1e309")]
    public void Read_NonFiniteVertex_ThrowsNamingVertexAndProperty(string bad)
    {
        var e = Assert.Throws<PlyFormatException>(() => PlyReader.Read(Encoding.ASCII.GetBytes(Header + $"0 0 0\n1 {bad} 0\n0 0 1\n"), "bad.ply"));
        Assert.Contains("bad.ply", e.Message);
        Assert.Contains("'vertex' 1", e.Message);
        Assert.Contains("'y'", e.Message);
    }

    [Fact]
    public void Read_NanInBinaryFile_Throws()
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes("ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n"));
        ms.Write(BitConverter.GetBytes(1f)); ms.Write(BitConverter.GetBytes(float.NaN)); ms.Write(BitConverter.GetBytes(0f));
        Assert.Throws<PlyFormatException>(() => PlyReader.Read(ms.ToArray(), "nan.ply"));
    }

    [Fact]
    public void Read_NoVertices_ThrowsNamingFile()
    {
        var e = Assert.Throws<PlyFormatException>(() => PlyReader.Read(Encoding.ASCII.GetBytes(Header.Replace("vertex 3", "vertex 0")), "empty.ply"));
        Assert.Contains("empty.ply", e.Message);
        Assert.Contains("at least one vertex", e.Message);
    }

    [Fact]
    public void BoundingBox_NanVertex_Throws()
    {
        Assert.Throws<ArgumentException>(() => MeshGeometry.BoundingBox([0, 0, 0, double.NaN, 1, 1]));
    }
}
