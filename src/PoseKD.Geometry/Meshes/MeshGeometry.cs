namespace PoseKD.Geometry.Meshes;

/// <summary>Diameter, axis-aligned box and the 8 box corners (the keypoints, docs/method.md §1 "Data") of a point set.</summary>
public static class MeshGeometry
{
    /// <summary>Axis-aligned bounding box of <paramref name="vertices"/> [n, 3]: (min, max), each [3].</summary>
    public static (double[] Min, double[] Max) BoundingBox(ReadOnlySpan<double> vertices)
    {
        if (vertices.Length == 0 || vertices.Length % 3 != 0)
            throw new ArgumentException($"vertices must be a non-empty [n, 3] array, got length {vertices.Length}", nameof(vertices));
        double[] min = [double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity];
        double[] max = [double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity];
        for (int i = 0; i < vertices.Length; i += 3)
            for (int k = 0; k < 3; k++)
            {
                double v = vertices[i + k];
                if (!double.IsFinite(v)) throw new ArgumentException($"vertex {i / 3} has a non-finite coordinate {v}", nameof(vertices));
                if (v < min[k]) min[k] = v;
                if (v > max[k]) max[k] = v;
            }
        return (min, max);
    }

    /// <summary>
    /// The 8 corners of the box [min, max] as [8, 3] row-major: corner c = 4·bx + 2·by + bz has
    /// coordinate k equal to max[k] when its bit b_k is 1 and min[k] otherwise (trimesh's
    /// <c>bounding_box.vertices</c> order, which the reference's <c>linemod_bbox.json</c> uses).
    /// </summary>
    public static double[] BoxCorners(ReadOnlySpan<double> min, ReadOnlySpan<double> max)
    {
        if (min.Length != 3 || max.Length != 3) throw new ArgumentException($"min and max must have 3 elements, got {min.Length} and {max.Length}");
        var c = new double[24];
        for (int i = 0; i < 8; i++)
        {
            c[3 * i] = (i & 4) != 0 ? max[0] : min[0];
            c[3 * i + 1] = (i & 2) != 0 ? max[1] : min[1];
            c[3 * i + 2] = (i & 1) != 0 ? max[2] : min[2];
        }
        return c;
    }

    /// <summary>The 8 corners [8, 3] of the axis-aligned box of <paramref name="vertices"/> [n, 3] (see <see cref="BoxCorners(ReadOnlySpan{double}, ReadOnlySpan{double})"/>).</summary>
    public static double[] BoxCorners(ReadOnlySpan<double> vertices)
    {
        var (min, max) = BoundingBox(vertices);
        return BoxCorners(min, max);
    }

    /// <summary>
    /// Diameter d = max_{i,j} ‖v_i − v_j‖ of <paramref name="vertices"/> [n, 3] (exact; as bop_toolkit's
    /// <c>calc_pts_diameter</c>). Points that cannot belong to a pair longer than a lower bound are pruned
    /// first (‖p − c‖ + max_q ‖q − c‖ &lt; bound), then the remaining pairs are compared exhaustively.
    /// </summary>
    public static double Diameter(ReadOnlySpan<double> vertices)
    {
        if (vertices.Length == 0 || vertices.Length % 3 != 0)
            throw new ArgumentException($"vertices must be a non-empty [n, 3] array, got length {vertices.Length}", nameof(vertices));
        int n = vertices.Length / 3;
        var (min, max) = BoundingBox(vertices);
        double cx = 0.5 * (min[0] + max[0]), cy = 0.5 * (min[1] + max[1]), cz = 0.5 * (min[2] + max[2]);
        var radius = new double[n];
        double rMax = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = vertices[3 * i] - cx, dy = vertices[3 * i + 1] - cy, dz = vertices[3 * i + 2] - cz;
            radius[i] = Math.Sqrt(dx * dx + dy * dy + dz * dz);
            if (radius[i] > rMax) rMax = radius[i];
        }
        // Lower bound: longest distance among the extreme points along 13 directions.
        Span<int> extremes = stackalloc int[26];
        ReadOnlySpan<double> dirs = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, -1, 0, 1, 0, 1, 1, 0, -1, 0, 1, 1, 0, 1, -1, 1, 1, 1, 1, 1, -1, 1, -1, 1, -1, 1, 1];
        for (int d = 0; d < 13; d++)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity; int ilo = 0, ihi = 0;
            for (int i = 0; i < n; i++)
            {
                double p = vertices[3 * i] * dirs[3 * d] + vertices[3 * i + 1] * dirs[3 * d + 1] + vertices[3 * i + 2] * dirs[3 * d + 2];
                if (p < lo) { lo = p; ilo = i; }
                if (p > hi) { hi = p; ihi = i; }
            }
            extremes[2 * d] = ilo; extremes[2 * d + 1] = ihi;
        }
        double best2 = 0;
        for (int a = 0; a < 26; a++)
            for (int b = a + 1; b < 26; b++) best2 = Math.Max(best2, Dist2(vertices, extremes[a], extremes[b]));
        double bound = Math.Sqrt(best2);
        var cand = new List<int>();
        for (int i = 0; i < n; i++)
            if (radius[i] + rMax >= bound) cand.Add(i);
        for (int a = 0; a < cand.Count; a++)
        {
            int i = cand[a];
            double xi = vertices[3 * i], yi = vertices[3 * i + 1], zi = vertices[3 * i + 2];
            for (int b = a + 1; b < cand.Count; b++)
            {
                int j = cand[b];
                double dx = vertices[3 * j] - xi, dy = vertices[3 * j + 1] - yi, dz = vertices[3 * j + 2] - zi;
                double d2 = dx * dx + dy * dy + dz * dz;
                if (d2 > best2) best2 = d2;
            }
        }
        return Math.Sqrt(best2);
    }

    private static double Dist2(ReadOnlySpan<double> v, int i, int j)
    {
        double dx = v[3 * i] - v[3 * j], dy = v[3 * i + 1] - v[3 * j + 1], dz = v[3 * i + 2] - v[3 * j + 2];
        return dx * dx + dy * dy + dz * dz;
    }
}
