using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Synthesis;

/// <summary>
/// Procedural meshes with vertex colours (millimetres, centred on their box) that <c>posekd synth</c> renders
/// when no PLY is given. All are clearly asymmetric in shape or texture except <c>twinbox</c>, which is
/// invariant under exactly one rotation (180° about its z axis) to exercise symmetry handling.
/// </summary>
public static class BuiltInObjects
{
    /// <summary>Names in the order they get object ids 1, 2, …</summary>
    public static IReadOnlyList<string> Names { get; } = ["lblock", "mug", "tbar", "stack", "twinbox", "wedge"];

    /// <summary>Name of the built-in object with a 180° symmetry about z.</summary>
    public const string SymmetricName = "twinbox";

    /// <summary>Builds the named object.</summary>
    public static Mesh Create(string name) => name switch
    {
        "lblock" => LBlock(),
        "mug" => Mug(),
        "tbar" => TBar(),
        "stack" => Stack(),
        "twinbox" => TwinBox(),
        "wedge" => Wedge(),
        _ => throw new ArgumentException($"unknown built-in object '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>
    /// The BOP discrete symmetries of a built-in object (4×4 row-major transforms, translation in mm):
    /// for <c>twinbox</c> the 180° rotation about z; empty for the others.
    /// </summary>
    public static IReadOnlyList<double[]> DiscreteSymmetries(string name) =>
        name == SymmetricName ? [[-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]] : [];

    /// <summary>The reference's SYMMETRY_TYPES entry for a built-in object (e.g. <c>[Z, 180]</c>), or null.</summary>
    public static IReadOnlyList<object>? SymmetryType(string name) => name == SymmetricName ? ["Z", 180] : null;

    private static (byte, byte, byte) Rgb(double r, double g, double b) =>
        ((byte)Math.Clamp(r, 0, 255), (byte)Math.Clamp(g, 0, 255), (byte)Math.Clamp(b, 0, 255));

    private static (byte, byte, byte) Scale((byte R, byte G, byte B) c, double f) => Rgb(c.R * f, c.G * f, c.B * f);

    private static double Checker(double a, double b, double period) =>
        ((int)Math.Floor(a / period) + (int)Math.Floor(b / period)) % 2 == 0 ? 1.0 : 0.8;

    private static Mesh LBlock()
    {
        var b = new MeshBuilder();
        MeshBuilder.ColorFunc arm = (x, y, z, nx, ny, nz) =>
        {
            var baseC = nz > 0 ? Rgb(230, 200, 40) : nx != 0 ? Rgb(200, 60, 40) : ny != 0 ? Rgb(40, 90, 190) : Rgb(90, 90, 90);
            return Scale(baseC, Checker(x + y, z, 20));
        };
        b.Box(0, 0, 0, 120, 40, 60, 10, arm);
        MeshBuilder.ColorFunc leg = (x, y, z, nx, ny, nz) =>
        {
            var baseC = nz > 0 ? Rgb(60, 200, 80) : nx != 0 ? Rgb(220, 120, 30) : Rgb(150, 60, 170);
            // a bright stripe near the leg's end: breaks any mirror ambiguity
            return y > 70 ? Rgb(250, 250, 250) : Scale(baseC, Checker(y, z, 15));
        };
        b.Box(-40, 45, 0, 40, 90, 60, 10, leg);
        return b.Build();
    }

    private static Mesh Mug()
    {
        var b = new MeshBuilder();
        b.Cylinder(0, 0, -45, 45, 40, 32, 6, (x, y, z, nx, ny, nz) =>
        {
            if (nz != 0) return nz > 0 ? Rgb(70, 50, 30) : Rgb(120, 120, 120);
            double ang = Math.Atan2(y, x);
            // a coloured label on one side only, with a band, so the mug is not rotationally symmetric
            if (ang > 0.6 && ang < 2.2 && z > -25 && z < 25) return z > 0 ? Rgb(220, 30, 40) : Rgb(30, 60, 220);
            return Scale(Rgb(235, 235, 225), z > 30 ? 0.75 : 1.0);
        });
        MeshBuilder.ColorFunc handle = (x, y, z, nx, ny, nz) => Scale(Rgb(40, 160, 170), nz != 0 ? 0.8 : 1.0);
        b.Box(48, 0, 25, 22, 14, 10, 6, handle);
        b.Box(48, 0, -25, 22, 14, 10, 6, handle);
        b.Box(62, 0, 0, 10, 14, 60, 6, handle);
        return b.Build();
    }

    private static Mesh TBar()
    {
        var b = new MeshBuilder();
        b.Box(0, 0, 50, 170, 34, 34, 12, (x, y, z, nx, ny, nz) =>
            x > 50 ? Rgb(240, 140, 20) : Scale(nz > 0 ? Rgb(70, 70, 200) : Rgb(50, 150, 210), Checker(x, y + z, 17)));
        b.Box(-25, 0, -10, 36, 36, 90, 12, (x, y, z, nx, ny, nz) =>
            Scale(ny > 0 ? Rgb(200, 200, 60) : ny < 0 ? Rgb(120, 40, 40) : Rgb(190, 80, 80), z < -40 ? 0.7 : 1.0));
        b.Box(-25, 30, -40, 24, 26, 24, 8, (x, y, z, nx, ny, nz) => Rgb(40, 200, 100));
        return b.Build();
    }

    private static Mesh Stack()
    {
        var b = new MeshBuilder();
        b.Box(0, 0, -35, 110, 90, 30, 10, (x, y, z, nx, ny, nz) => Scale(Rgb(120, 80, 200), Checker(x, y, 18)));
        b.Box(12, -8, -5, 80, 60, 30, 10, (x, y, z, nx, ny, nz) => nx > 0 ? Rgb(250, 220, 60) : Rgb(60, 180, 160));
        b.Box(25, -18, 25, 44, 34, 30, 8, (x, y, z, nx, ny, nz) => ny < 0 ? Rgb(230, 60, 120) : Rgb(230, 140, 170));
        return b.Build();
    }

    private static Mesh TwinBox()
    {
        // 150 × 90 × 64 box whose colours depend on (|x|, |y|, z) and the face orientation up to
        // (x, y) → (−x, −y): invariant under the 180° rotation about z and under nothing else
        // (top and bottom differ, so the 180° turns about x and y change the picture).
        var b = new MeshBuilder();
        b.Box(0, 0, 0, 150, 90, 64, 10, (x, y, z, nx, ny, nz) =>
        {
            if (nz > 0) return Math.Abs(x) > 45 ? Rgb(240, 200, 30) : Rgb(40, 170, 70);
            if (nz < 0) return Rgb(70, 70, 80);
            if (nx != 0) return z > 10 ? Rgb(210, 50, 50) : Rgb(150, 30, 30);
            return Math.Abs(x) < 25 ? Rgb(245, 245, 245) : Scale(Rgb(40, 90, 200), z > 0 ? 1.0 : 0.8);
        });
        return b.Build();
    }

    private static Mesh Wedge()
    {
        var b = new MeshBuilder();
        // a ramp: triangular prism along y, with a block on its low end
        double L = 140, H = 70, W = 80;
        var slope = Rgb(220, 90, 40);
        var side1 = Rgb(60, 130, 220);
        var side2 = Rgb(160, 220, 90);
        var bottom = Rgb(90, 90, 90);
        var back = Rgb(240, 240, 120);
        // slope face from (x=0, z=0) up to (x=L, z=H)
        b.Grid([0, -W / 2, 0], [L, 0, H], [0, W, 0], 6, 4, -1, 0, 2, (x, y, z, nx, ny, nz) => Scale(slope, Checker(x, y, 20)));
        b.Grid([0, -W / 2, 0], [0, W, 0], [L, 0, 0], 4, 6, 0, 0, -1, (x, y, z, nx, ny, nz) => bottom);
        b.Grid([L, -W / 2, 0], [0, W, 0], [0, 0, H], 4, 3, 1, 0, 0, (x, y, z, nx, ny, nz) => back);
        b.Triangle([0, -W / 2, 0], [L, -W / 2, 0], [L, -W / 2, H], side1);
        b.Triangle([0, W / 2, 0], [L, W / 2, H], [L, W / 2, 0], side2);
        b.Box(-15, -20, 15, 30, 40, 30, 10, (x, y, z, nx, ny, nz) => Rgb(200, 40, 160));
        return b.Build();
    }
}
