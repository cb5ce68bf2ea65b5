using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Synthesis;

/// <summary>
/// A mesh prepared for <see cref="Rasterizer"/>: float positions [n, 3] (mm), float RGB colours [n, 3]
/// (0–255) and triangles [f, 3]. Meshes without colours get a colour from the normalised vertex position
/// (a NOCS-like map), which keeps them textured and asymmetric.
/// </summary>
public sealed class RenderMesh
{
    /// <summary>Vertex positions [n, 3], mm.</summary>
    public float[] Positions { get; }

    /// <summary>Vertex colours [n, 3], 0–255.</summary>
    public float[] Colors { get; }

    /// <summary>Triangle indices [f, 3].</summary>
    public int[] Triangles { get; }

    /// <summary>Radius of the bounding sphere about the origin, mm.</summary>
    public double RadiusMm { get; }

    /// <summary>Prepares <paramref name="mesh"/> for rendering.</summary>
    public RenderMesh(Mesh mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        if (mesh.TriangleCount == 0) throw new ArgumentException("mesh has no triangles to render", nameof(mesh));
        Positions = mesh.VerticesAsFloat();
        Triangles = mesh.Triangles;
        int n = mesh.VertexCount;
        Colors = new float[3 * n];
        if (mesh.Colors != null)
        {
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 3; c++) Colors[3 * i + c] = mesh.Colors[i * mesh.ColorChannels + c];
        }
        else
        {
            var (min, max) = MeshGeometry.BoundingBox(mesh.Vertices);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 3; c++)
                    Colors[3 * i + c] = (float)(40 + 200 * (mesh.Vertices[3 * i + c] - min[c]) / Math.Max(1e-9, max[c] - min[c]));
        }
        double r2 = 0;
        for (int i = 0; i < Positions.Length; i += 3)
            r2 = Math.Max(r2, (double)Positions[i] * Positions[i] + (double)Positions[i + 1] * Positions[i + 1] + (double)Positions[i + 2] * Positions[i + 2]);
        RadiusMm = Math.Sqrt(r2);
    }
}
