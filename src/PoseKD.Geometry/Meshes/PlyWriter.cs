using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PoseKD.Geometry.Meshes;

/// <summary>
/// Writes meshes as PLY the way LINEMOD/BOP models are stored: <c>float x y z</c>, then
/// <c>float nx ny nz</c> when the mesh has normals, then <c>uchar red green blue</c> (and
/// <c>alpha</c> for RGBA) when it has colours, and faces as <c>list uchar int vertex_indices</c>.
/// </summary>
public static class PlyWriter
{
    /// <summary>Writes <paramref name="mesh"/> to <paramref name="path"/>, binary little-endian or ascii.</summary>
    public static void Write(string path, Mesh mesh, bool binary = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(mesh);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(fs, mesh, binary);
    }

    /// <summary>Writes <paramref name="mesh"/> as PLY into <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Mesh mesh, bool binary = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mesh);
        int n = mesh.VertexCount, f = mesh.TriangleCount, cc = mesh.ColorChannels;
        var h = new StringBuilder();
        h.Append("ply\n").Append(binary ? "format binary_little_endian 1.0\n" : "format ascii 1.0\n");
        h.Append("comment written by PoseKD\n");
        h.Append(CultureInfo.InvariantCulture, $"element vertex {n}\n");
        h.Append("property float x\nproperty float y\nproperty float z\n");
        if (mesh.Normals != null) h.Append("property float nx\nproperty float ny\nproperty float nz\n");
        if (mesh.Colors != null)
        {
            h.Append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
            if (cc == 4) h.Append("property uchar alpha\n");
        }
        h.Append(CultureInfo.InvariantCulture, $"element face {f}\n");
        h.Append("property list uchar int vertex_indices\nend_header\n");
        var headerBytes = Encoding.ASCII.GetBytes(h.ToString());
        stream.Write(headerBytes);
        var v = mesh.Vertices;
        var nrm = mesh.Normals;
        var col = mesh.Colors;
        var t = mesh.Triangles;
        if (binary)
        {
            int vsize = 12 + (nrm != null ? 12 : 0) + (col != null ? cc : 0);
            var buf = new byte[Math.Max(vsize, 13)];
            for (int i = 0; i < n; i++)
            {
                int o = 0;
                for (int k = 0; k < 3; k++, o += 4) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(o), (float)v[3 * i + k]);
                if (nrm != null)
                    for (int k = 0; k < 3; k++, o += 4) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(o), nrm[3 * i + k]);
                if (col != null)
                    for (int k = 0; k < cc; k++) buf[o++] = col[cc * i + k];
                stream.Write(buf, 0, vsize);
            }
            for (int i = 0; i < f; i++)
            {
                buf[0] = 3;
                for (int k = 0; k < 3; k++) BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(1 + 4 * k), t[3 * i + k]);
                stream.Write(buf, 0, 13);
            }
        }
        else
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var ci = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++)
            {
                sb.Clear();
                sb.Append(((float)v[3 * i]).ToString("R", ci)).Append(' ').Append(((float)v[3 * i + 1]).ToString("R", ci)).Append(' ').Append(((float)v[3 * i + 2]).ToString("R", ci));
                if (nrm != null)
                    for (int k = 0; k < 3; k++) sb.Append(' ').Append(nrm[3 * i + k].ToString("R", ci));
                if (col != null)
                    for (int k = 0; k < cc; k++) sb.Append(' ').Append(col[cc * i + k].ToString(ci));
                w.WriteLine(sb.ToString());
            }
            for (int i = 0; i < f; i++)
                w.WriteLine(string.Create(ci, $"3 {t[3 * i]} {t[3 * i + 1]} {t[3 * i + 2]}"));
        }
    }
}
