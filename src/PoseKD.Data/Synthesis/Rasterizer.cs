namespace PoseKD.Data.Synthesis;

/// <summary>
/// A z-buffer triangle rasteriser for a pinhole camera: pixel (u, v) samples the image point at integer
/// coordinates (OpenCV's convention, u = fx·x/z + s·y/z + cx). Colours are interpolated perspective-correctly
/// from the vertices and shaded per triangle with Lambert + ambient:
/// <c>c = c_vertex · (ambient + diffuse · max(0, n·l))</c>, n the face normal turned towards the camera.
/// Buffers: <see cref="Color"/> [H, W, 3] bytes, <see cref="Depth"/> [H, W] camera z in mm (+∞ = empty),
/// <see cref="Label"/> [H, W] (0 = background, else the label passed to <see cref="Draw"/>).
/// </summary>
public sealed class Rasterizer
{
    private float[] _cam = [];

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>RGB pixels [H, W, 3].</summary>
    public byte[] Color { get; }

    /// <summary>Camera-frame depth z [H, W], mm; +∞ where nothing was drawn.</summary>
    public float[] Depth { get; }

    /// <summary>Label of the front-most surface [H, W]; 0 where nothing was drawn.</summary>
    public byte[] Label { get; }

    /// <summary>Creates buffers for a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public Rasterizer(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} must be positive");
        Width = width; Height = height;
        Color = new byte[width * height * 3];
        Depth = new float[width * height];
        Label = new byte[width * height];
    }

    /// <summary>Copies <paramref name="backgroundRgb"/> [H, W, 3] into the colour buffer and clears depth and labels.</summary>
    public void Reset(ReadOnlySpan<byte> backgroundRgb)
    {
        if (backgroundRgb.Length != Color.Length)
            throw new ArgumentException($"background has {backgroundRgb.Length} bytes, expected [{Height}, {Width}, 3]", nameof(backgroundRgb));
        backgroundRgb.CopyTo(Color);
        Array.Fill(Depth, float.PositiveInfinity);
        Array.Clear(Label);
    }

    /// <summary>
    /// Draws <paramref name="mesh"/> scaled by <paramref name="scale"/> with pose X_c = R·(s·X) + t under camera
    /// <paramref name="k"/> (row-major 3×3), z-tested against what is already drawn.
    /// </summary>
    /// <param name="mesh">The mesh.</param>
    /// <param name="r">Rotation, row-major [9].</param>
    /// <param name="t">Translation [3], mm.</param>
    /// <param name="k">Intrinsics [9].</param>
    /// <param name="lightDir">Unit vector towards the light, camera frame [3].</param>
    /// <param name="ambient">Ambient term.</param>
    /// <param name="diffuse">Lambert term weight.</param>
    /// <param name="label">Value written to <see cref="Label"/> where this mesh is in front.</param>
    /// <param name="scale">Uniform model scale.</param>
    public void Draw(RenderMesh mesh, ReadOnlySpan<double> r, ReadOnlySpan<double> t, ReadOnlySpan<double> k,
        ReadOnlySpan<double> lightDir, double ambient, double diffuse, byte label, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        if (r.Length != 9 || t.Length != 3 || k.Length != 9 || lightDir.Length != 3)
            throw new ArgumentException($"expected R [9], t [3], K [9], light [3]; got [{r.Length}], [{t.Length}], [{k.Length}], [{lightDir.Length}]");
        var p = mesh.Positions;
        int n = p.Length / 3;
        if (_cam.Length < p.Length) _cam = new float[p.Length];
        var cam = _cam;
        for (int i = 0; i < n; i++)
        {
            double x = p[3 * i] * scale, y = p[3 * i + 1] * scale, z = p[3 * i + 2] * scale;
            cam[3 * i] = (float)(r[0] * x + r[1] * y + r[2] * z + t[0]);
            cam[3 * i + 1] = (float)(r[3] * x + r[4] * y + r[5] * z + t[1]);
            cam[3 * i + 2] = (float)(r[6] * x + r[7] * y + r[8] * z + t[2]);
        }
        float fx = (float)k[0], sk = (float)k[1], cx = (float)k[2], fy = (float)k[4], cy = (float)k[5];
        float lx = (float)lightDir[0], ly = (float)lightDir[1], lz = (float)lightDir[2];
        var tri = mesh.Triangles;
        var col = mesh.Colors;
        for (int f = 0; f < tri.Length; f += 3)
        {
            int i0 = tri[f], i1 = tri[f + 1], i2 = tri[f + 2];
            float x0 = cam[3 * i0], y0 = cam[3 * i0 + 1], z0 = cam[3 * i0 + 2];
            float x1 = cam[3 * i1], y1 = cam[3 * i1 + 1], z1 = cam[3 * i1 + 2];
            float x2 = cam[3 * i2], y2 = cam[3 * i2 + 1], z2 = cam[3 * i2 + 2];
            if (z0 < 1f || z1 < 1f || z2 < 1f) continue;
            // face normal, turned towards the camera (the camera sits at the origin)
            float ax = x1 - x0, ay = y1 - y0, az = z1 - z0, bx = x2 - x0, by = y2 - y0, bz = z2 - z0;
            float nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
            float nl = MathF.Sqrt(nx * nx + ny * ny + nz * nz);
            if (!(nl > 0)) continue;
            if (nx * x0 + ny * y0 + nz * z0 > 0) { nx = -nx; ny = -ny; nz = -nz; }
            float shade = (float)ambient + (float)diffuse * MathF.Max(0f, (nx * lx + ny * ly + nz * lz) / nl);
            float iz0 = 1f / z0, iz1 = 1f / z1, iz2 = 1f / z2;
            float u0 = fx * x0 * iz0 + sk * y0 * iz0 + cx, v0 = fy * y0 * iz0 + cy;
            float u1 = fx * x1 * iz1 + sk * y1 * iz1 + cx, v1 = fy * y1 * iz1 + cy;
            float u2 = fx * x2 * iz2 + sk * y2 * iz2 + cx, v2 = fy * y2 * iz2 + cy;
            RasterTriangle(u0, v0, iz0, u1, v1, iz1, u2, v2, iz2,
                col.AsSpan(3 * i0, 3), col.AsSpan(3 * i1, 3), col.AsSpan(3 * i2, 3), shade, label);
        }
    }

    private void RasterTriangle(float u0, float v0, float iz0, float u1, float v1, float iz1, float u2, float v2, float iz2,
        ReadOnlySpan<float> c0, ReadOnlySpan<float> c1, ReadOnlySpan<float> c2, float shade, byte label)
    {
        float area = (u1 - u0) * (v2 - v0) - (u2 - u0) * (v1 - v0);
        if (MathF.Abs(area) < 1e-8f) return;
        int xmin = Math.Max(0, (int)MathF.Ceiling(MathF.Min(u0, MathF.Min(u1, u2))));
        int xmax = Math.Min(Width - 1, (int)MathF.Floor(MathF.Max(u0, MathF.Max(u1, u2))));
        int ymin = Math.Max(0, (int)MathF.Ceiling(MathF.Min(v0, MathF.Min(v1, v2))));
        int ymax = Math.Min(Height - 1, (int)MathF.Floor(MathF.Max(v0, MathF.Max(v1, v2))));
        if (xmin > xmax || ymin > ymax) return;
        float inv = 1f / area;
        // barycentric weights are affine in (x, y): w_i = a_i·x + b_i·y + c_i
        float a0 = (v1 - v2) * inv, b0 = (u2 - u1) * inv, k0 = (u1 * v2 - u2 * v1) * inv;
        float a1 = (v2 - v0) * inv, b1 = (u0 - u2) * inv, k1 = (u2 * v0 - u0 * v2) * inv;
        // colours premultiplied by 1/z for perspective-correct interpolation
        float r0 = c0[0] * iz0, g0 = c0[1] * iz0, bl0 = c0[2] * iz0;
        float r1 = c1[0] * iz1, g1 = c1[1] * iz1, bl1 = c1[2] * iz1;
        float r2 = c2[0] * iz2, g2 = c2[1] * iz2, bl2 = c2[2] * iz2;
        const float eps = -1e-5f;
        var depth = Depth; var color = Color; var lab = Label;
        for (int y = ymin; y <= ymax; y++)
        {
            float w0 = a0 * xmin + b0 * y + k0, w1 = a1 * xmin + b1 * y + k1;
            int row = y * Width;
            for (int x = xmin; x <= xmax; x++, w0 += a0, w1 += a1)
            {
                float w2 = 1f - w0 - w1;
                if (w0 < eps || w1 < eps || w2 < eps) continue;
                float iz = w0 * iz0 + w1 * iz1 + w2 * iz2;
                if (!(iz > 0)) continue;
                float z = 1f / iz;
                int pi = row + x;
                if (z >= depth[pi]) continue;
                depth[pi] = z;
                lab[pi] = label;
                float s = z * shade;
                int ci = 3 * pi;
                color[ci] = ToByte((w0 * r0 + w1 * r1 + w2 * r2) * s);
                color[ci + 1] = ToByte((w0 * g0 + w1 * g1 + w2 * g2) * s);
                color[ci + 2] = ToByte((w0 * bl0 + w1 * bl1 + w2 * bl2) * s);
            }
        }
    }

    private static byte ToByte(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);
}
