using System.Text;
using PoseKD.Geometry.Meshes;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Meshes;

public class PlyReaderTests
{
    private static Mesh ColouredCube()
    {
        var cube = TestData.Cube(10);
        var normals = new float[24];
        var colors = new byte[24];
        for (int i = 0; i < 24; i++) { normals[i] = (float)(cube.Vertices[i] / 10 / Math.Sqrt(3)); colors[i] = (byte)(10 * i); }
        return new Mesh(cube.Vertices, cube.Triangles, normals, colors, 3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Read_WrittenByPlyWriter_RoundTrips(bool binary)
    {
        var mesh = ColouredCube();
        var path = Path.Combine(Path.GetTempPath(), $"posekd_ply_{Guid.NewGuid():N}.ply");
        try
        {
            PlyWriter.Write(path, mesh, binary);
            var back = PlyReader.Read(path);
            Assert.Equal(8, back.VertexCount);
            Assert.Equal(mesh.Triangles, back.Triangles);
            Numeric.AssertClose(mesh.Vertices.Select(x => (float)x).ToArray(), back.Vertices.Select(x => (float)x).ToArray(), 0, 0);
            Assert.Equal(mesh.Normals, back.Normals);
            Assert.Equal(mesh.Colors, back.Colors);
            Assert.Equal(3, back.ColorChannels);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Read_BigEndianWithUnknownPropertiesAndQuads_SkipsAndTriangulates()
    {
        var ms = new MemoryStream();
        var header = "ply\nformat binary_big_endian 1.0\ncomment test\nelement vertex 4\nproperty double x\nproperty double y\nproperty double z\n" +
                     "property short extra\nproperty list ushort int junk\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n" +
                     "element face 1\nproperty uint flags\nproperty list int ushort vertex_index\nelement edge 1\nproperty int a\nproperty int b\nend_header\n";
        ms.Write(Encoding.ASCII.GetBytes(header));
        var w = new BinaryWriter(ms);
        double[][] pts = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]];
        for (int i = 0; i < 4; i++)
        {
            foreach (double c in pts[i]) WriteBe(w, BitConverter.GetBytes(c));
            WriteBe(w, BitConverter.GetBytes((short)-7));
            WriteBe(w, BitConverter.GetBytes((ushort)2)); WriteBe(w, BitConverter.GetBytes(1)); WriteBe(w, BitConverter.GetBytes(2));
            w.Write((byte)(i + 1)); w.Write((byte)(i + 2)); w.Write((byte)(i + 3)); w.Write((byte)255);
        }
        WriteBe(w, BitConverter.GetBytes(99u));
        WriteBe(w, BitConverter.GetBytes(4));
        foreach (ushort idx in new ushort[] { 0, 1, 2, 3 }) WriteBe(w, BitConverter.GetBytes(idx));
        WriteBe(w, BitConverter.GetBytes(0)); WriteBe(w, BitConverter.GetBytes(1));
        var mesh = PlyReader.Read(ms.ToArray(), "mem.ply");
        Assert.Equal(new double[] { 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0 }, mesh.Vertices);
        Assert.Equal(new[] { 0, 1, 2, 0, 2, 3 }, mesh.Triangles);
        Assert.Equal(4, mesh.ColorChannels);
        Assert.Equal(new byte[] { 1, 2, 3, 255 }, mesh.Colors![..4]);
        Assert.Null(mesh.Normals);
    }

    private static void WriteBe(BinaryWriter w, byte[] b) { Array.Reverse(b); w.Write(b); }

    [Fact]
    public void Read_AsciiWithCrLf_Parses()
    {
        var text = "ply\r\nformat ascii 1.0\r\nelement vertex 3\r\nproperty float x\r\nproperty float y\r\nproperty float z\r\nelement face 1\r\nproperty list uchar int vertex_indices\r\nend_header\r\n0 0 0\r\n1 0 0\r\n0 1 0\r\n3 0 1 2\r\n";
        var mesh = PlyReader.Read(Encoding.ASCII.GetBytes(text), "crlf.ply");
        Assert.Equal(3, mesh.VertexCount);
        Assert.Equal(new[] { 0, 1, 2 }, mesh.Triangles);
    }

    [Fact]
    public void Read_TruncatedBinary_ThrowsNamingFileAndElement()
    {
        var mesh = ColouredCube();
        var ms = new MemoryStream();
        PlyWriter.Write(ms, mesh, binary: true);
        var bytes = ms.ToArray()[..^20];
        var e = Assert.Throws<PlyFormatException>(() => PlyReader.Read(bytes, "cut.ply"));
        Assert.Contains("cut.ply", e.Message);
        Assert.Contains("face", e.Message);
    }

    [Fact]
    public void Read_TruncatedAsciiVertices_ThrowsNamingVertexElement()
    {
        var text = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 0\n";
        var e = Assert.Throws<PlyFormatException>(() => PlyReader.Read(Encoding.ASCII.GetBytes(text), "short.ply"));
        Assert.Contains("short.ply", e.Message);
        Assert.Contains("vertex", e.Message);
        Assert.Equal("element 'vertex' 1", e.Element);
    }

    [Theory]
    [InlineData("plx\nformat ascii 1.0\nend_header\n", "header")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n0 0\n", "element 'vertex'")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n", "element 'vertex'")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0 1 1 1\n3 0 1 5\n", "element 'face' 0")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 zero 0\n", "element 'vertex' 0")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\n", "header")]
    public void Read_Malformed_ThrowsPlyFormatException(string text, string element)
    {
        var e = Assert.Throws<PlyFormatException>(() => PlyReader.Read(Encoding.ASCII.GetBytes(text), "bad.ply"));
        Assert.Equal("bad.ply", e.FilePath);
        Assert.Equal(element, e.Element);
    }
}
