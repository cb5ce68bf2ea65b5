namespace PoseKD.Geometry.Tests;

/// <summary>Shared deterministic test inputs.</summary>
internal static class TestData
{
    public static readonly double[] K = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];

    /// <summary>Unit-axis cube [-h, h]³ mesh with 8 vertices and 12 triangles.</summary>
    public static Geometry.Meshes.Mesh Cube(double h)
    {
        var v = new double[24];
        for (int i = 0; i < 8; i++)
        {
            v[3 * i] = (i & 4) != 0 ? h : -h;
            v[3 * i + 1] = (i & 2) != 0 ? h : -h;
            v[3 * i + 2] = (i & 1) != 0 ? h : -h;
        }
        int[] tris = [0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3];
        return new Geometry.Meshes.Mesh(v, tris);
    }

    /// <summary>A random rotation (uniform quaternion) and a translation in front of the camera.</summary>
    public static (double[] R, double[] T) RandomPose(Random rng)
    {
        double[] q = [Gauss(rng), Gauss(rng), Gauss(rng), Gauss(rng)];
        var r = new double[9];
        Geometry.Rotations.Quaternions.ToMatrix(q, r);
        double[] t = [rng.NextDouble() * 200 - 100, rng.NextDouble() * 200 - 100, 600 + rng.NextDouble() * 600];
        return (r, t);
    }

    public static double Gauss(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Angle in degrees of R1ᵀ·R2 (through the rotation vector, accurate near 0).</summary>
    public static double RotationErrorDeg(ReadOnlySpan<double> r1, ReadOnlySpan<double> r2)
    {
        var d = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                d[3 * i + j] = r1[i] * r2[j] + r1[3 + i] * r2[3 + j] + r1[6 + i] * r2[6 + j];
        var v = Geometry.Rotations.Rodrigues.FromMatrix(d);
        return Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) * 180 / Math.PI;
    }
}
