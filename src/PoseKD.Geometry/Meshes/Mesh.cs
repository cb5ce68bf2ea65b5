namespace PoseKD.Geometry.Meshes;

/// <summary>
/// A triangle mesh in model coordinates (millimetres for BOP/LINEMOD models): vertices, optional
/// per-vertex normals and colours, and triangles as a flat index array. Polygons read from PLY files
/// are fan-triangulated, so <see cref="Triangles"/> always holds 3 indices per face.
/// </summary>
public sealed class Mesh
{
    /// <summary>Vertex positions, row-major [VertexCount, 3] (x, y, z).</summary>
    public double[] Vertices { get; }

    /// <summary>Per-vertex normals [VertexCount, 3], or null.</summary>
    public float[]? Normals { get; }

    /// <summary>Per-vertex colours [VertexCount, ColorChannels] (RGB or RGBA, 0..255), or null.</summary>
    public byte[]? Colors { get; }

    /// <summary>3 (RGB) or 4 (RGBA) when <see cref="Colors"/> is set, else 0.</summary>
    public int ColorChannels { get; }

    /// <summary>Triangle vertex indices [TriangleCount, 3].</summary>
    public int[] Triangles { get; }

    /// <summary>Number of vertices.</summary>
    public int VertexCount => Vertices.Length / 3;

    /// <summary>Number of triangles.</summary>
    public int TriangleCount => Triangles.Length / 3;

    /// <summary>Creates a mesh, checking every buffer's shape and every triangle index.</summary>
    /// <param name="vertices">[n, 3] positions.</param>
    /// <param name="triangles">[f, 3] indices into the vertices (null = point cloud).</param>
    /// <param name="normals">[n, 3] normals or null.</param>
    /// <param name="colors">[n, colorChannels] bytes or null.</param>
    /// <param name="colorChannels">3 or 4 when colours are given.</param>
    public Mesh(double[] vertices, int[]? triangles = null, float[]? normals = null, byte[]? colors = null, int colorChannels = 3)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        if (vertices.Length % 3 != 0) throw new ArgumentException($"vertices length {vertices.Length} is not a multiple of 3 ([n, 3])", nameof(vertices));
        int n = vertices.Length / 3;
        triangles ??= [];
        if (triangles.Length % 3 != 0) throw new ArgumentException($"triangles length {triangles.Length} is not a multiple of 3 ([f, 3])", nameof(triangles));
        foreach (int idx in triangles)
            if ((uint)idx >= (uint)n) throw new ArgumentException($"triangle index {idx} out of range for {n} vertices", nameof(triangles));
        if (normals != null && normals.Length != 3 * n)
            throw new ArgumentException($"normals shape [{normals.Length / 3.0}, 3] does not match vertices [{n}, 3]", nameof(normals));
        if (colors != null)
        {
            if (colorChannels != 3 && colorChannels != 4) throw new ArgumentException($"colorChannels must be 3 or 4, got {colorChannels}", nameof(colorChannels));
            if (colors.Length != colorChannels * n)
                throw new ArgumentException($"colors length {colors.Length} does not match [{n}, {colorChannels}]", nameof(colors));
        }
        Vertices = vertices;
        Triangles = triangles;
        Normals = normals;
        Colors = colors;
        ColorChannels = colors == null ? 0 : colorChannels;
    }

    /// <summary>Creates a mesh from single-precision vertices (converted to double).</summary>
    public static Mesh FromFloat(float[] vertices, int[]? triangles = null, float[]? normals = null, byte[]? colors = null, int colorChannels = 3)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        var v = new double[vertices.Length];
        for (int i = 0; i < v.Length; i++) v[i] = vertices[i];
        return new Mesh(v, triangles, normals, colors, colorChannels);
    }

    /// <summary>Vertex positions converted to single precision, [VertexCount, 3].</summary>
    public float[] VerticesAsFloat()
    {
        var v = new float[Vertices.Length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)Vertices[i];
        return v;
    }
}
