using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Synthesis;

/// <summary>
/// Accumulates coloured primitives (grid-subdivided boxes, capped cylinders) into one <see cref="Mesh"/>.
/// Every face has its own vertices, so colours are per cell (flat), and faces wind counter-clockwise seen
/// from outside (normal = (b − a) × (c − a) points out).
/// </summary>
internal sealed class MeshBuilder
{
    /// <summary>Colour of a surface cell from its centre (mm, model frame) and outward normal.</summary>
    public delegate (byte R, byte G, byte B) ColorFunc(double x, double y, double z, int nx, int ny, int nz);

    private readonly List<double> _v = [];
    private readonly List<byte> _c = [];
    private readonly List<int> _t = [];

    /// <summary>Adds the quad p + i·u/nu + j·v/nv subdivided in nu × nv cells, normal = u × v.</summary>
    public void Grid(double[] p, double[] u, double[] v, int nu, int nv, int nx, int ny, int nz, ColorFunc color)
    {
        for (int j = 0; j < nv; j++)
            for (int i = 0; i < nu; i++)
            {
                double a0 = (double)i / nu, a1 = (double)(i + 1) / nu, b0 = (double)j / nv, b1 = (double)(j + 1) / nv;
                double am = 0.5 * (a0 + a1), bm = 0.5 * (b0 + b1);
                var col = color(p[0] + am * u[0] + bm * v[0], p[1] + am * u[1] + bm * v[1], p[2] + am * u[2] + bm * v[2], nx, ny, nz);
                int start = _v.Count / 3;
                foreach (var (a, b) in new[] { (a0, b0), (a1, b0), (a1, b1), (a0, b1) })
                {
                    _v.Add(p[0] + a * u[0] + b * v[0]); _v.Add(p[1] + a * u[1] + b * v[1]); _v.Add(p[2] + a * u[2] + b * v[2]);
                    _c.Add(col.R); _c.Add(col.G); _c.Add(col.B);
                }
                _t.AddRange([start, start + 1, start + 2, start, start + 2, start + 3]);
            }
    }

    /// <summary>Axis-aligned box with centre (cx, cy, cz) and size (sx, sy, sz), cells of about <paramref name="cellMm"/>.</summary>
    public void Box(double cx, double cy, double cz, double sx, double sy, double sz, double cellMm, ColorFunc color)
    {
        double x0 = cx - sx / 2, x1 = cx + sx / 2, y0 = cy - sy / 2, y1 = cy + sy / 2, z0 = cz - sz / 2, z1 = cz + sz / 2;
        int Cells(double len) => Math.Max(1, (int)Math.Round(len / cellMm));
        int nx = Cells(sx), ny = Cells(sy), nz = Cells(sz);
        Grid([x1, y0, z0], [0, sy, 0], [0, 0, sz], ny, nz, 1, 0, 0, color);   // +X
        Grid([x0, y0, z0], [0, 0, sz], [0, sy, 0], nz, ny, -1, 0, 0, color);  // −X
        Grid([x0, y1, z0], [0, 0, sz], [sx, 0, 0], nz, nx, 0, 1, 0, color);   // +Y
        Grid([x0, y0, z0], [sx, 0, 0], [0, 0, sz], nx, nz, 0, -1, 0, color); // −Y
        Grid([x0, y0, z1], [sx, 0, 0], [0, sy, 0], nx, ny, 0, 0, 1, color);   // +Z
        Grid([x0, y0, z0], [0, sy, 0], [sx, 0, 0], ny, nx, 0, 0, -1, color); // −Z
    }

    /// <summary>Cylinder along z: centre (cx, cy), z from z0 to z1, radius r, <paramref name="segments"/> sides, capped.</summary>
    public void Cylinder(double cx, double cy, double z0, double z1, double r, int segments, int rings, ColorFunc color)
    {
        for (int s = 0; s < segments; s++)
        {
            double a0 = 2 * Math.PI * s / segments, a1 = 2 * Math.PI * (s + 1) / segments, am = 0.5 * (a0 + a1);
            double[] p = [cx + r * Math.Cos(a0), cy + r * Math.Sin(a0), z0];
            double[] u = [r * (Math.Cos(a1) - Math.Cos(a0)), r * (Math.Sin(a1) - Math.Sin(a0)), 0];
            int nxs = (int)Math.Round(Math.Cos(am) * 100), nys = (int)Math.Round(Math.Sin(am) * 100);
            Grid(p, u, [0, 0, z1 - z0], 1, rings, nxs, nys, 0, color);
            // caps: triangle fans from the centre
            var top = color(cx + 0.5 * r * Math.Cos(am), cy + 0.5 * r * Math.Sin(am), z1, 0, 0, 1);
            var bot = color(cx + 0.5 * r * Math.Cos(am), cy + 0.5 * r * Math.Sin(am), z0, 0, 0, -1);
            Triangle([cx, cy, z1], [cx + r * Math.Cos(a0), cy + r * Math.Sin(a0), z1], [cx + r * Math.Cos(a1), cy + r * Math.Sin(a1), z1], top);
            Triangle([cx, cy, z0], [cx + r * Math.Cos(a1), cy + r * Math.Sin(a1), z0], [cx + r * Math.Cos(a0), cy + r * Math.Sin(a0), z0], bot);
        }
    }

    /// <summary>One triangle with a flat colour.</summary>
    public void Triangle(double[] a, double[] b, double[] c, (byte R, byte G, byte B) col)
    {
        int start = _v.Count / 3;
        foreach (var p in new[] { a, b, c })
        {
            _v.AddRange(p);
            _c.Add(col.R); _c.Add(col.G); _c.Add(col.B);
        }
        _t.AddRange([start, start + 1, start + 2]);
    }

    /// <summary>The mesh, translated so that its axis-aligned box is centred at the origin (as BOP models are).</summary>
    public Mesh Build()
    {
        var v = _v.ToArray();
        var (min, max) = MeshGeometry.BoundingBox(v);
        double ox = 0.5 * (min[0] + max[0]), oy = 0.5 * (min[1] + max[1]), oz = 0.5 * (min[2] + max[2]);
        for (int i = 0; i < v.Length; i += 3) { v[i] = Math.Round(v[i] - ox, 4); v[i + 1] = Math.Round(v[i + 1] - oy, 4); v[i + 2] = Math.Round(v[i + 2] - oz, 4); }
        return new Mesh(v, _t.ToArray(), null, _c.ToArray(), 3);
    }
}
