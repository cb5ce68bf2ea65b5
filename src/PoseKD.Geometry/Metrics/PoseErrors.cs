using PoseKD.Geometry.Cameras;

namespace PoseKD.Geometry.Metrics;

/// <summary>
/// Pose error functions. Points are model vertices [n, 3]; poses map model to camera (R [9], t [3], mm).
/// ADD: Hinterstoisser et al., ACCV 2012. MSSD/MSPD: Hodaň et al., BOP challenge 2019/2020 (ECCVW 2020).
/// </summary>
public static class PoseErrors
{
    /// <summary>ADD = (1/n) Σ_i ‖(R_e x_i + t_e) − (R_g x_i + t_g)‖.</summary>
    public static double Add(ReadOnlySpan<double> points, ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, ReadOnlySpan<double> rEst, ReadOnlySpan<double> tEst)
    {
        int n = CheckPoints(points);
        var g = Transform(points, rGt, tGt);
        var e = Transform(points, rEst, tEst);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Dist(g, e, i, i);
        return sum / n;
    }

    /// <summary>
    /// ADI / ADD-S = (1/n) Σ_i min_j ‖(R_g x_i + t_g) − (R_e x_j + t_e)‖ — for every ground-truth point the
    /// closest estimated point (as the reference and bop_toolkit), found with a k-d tree.
    /// </summary>
    public static double Adi(ReadOnlySpan<double> points, ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, ReadOnlySpan<double> rEst, ReadOnlySpan<double> tEst)
    {
        int n = CheckPoints(points);
        var g = Transform(points, rGt, tGt);
        var e = Transform(points, rEst, tEst);
        var tree = new PointKdTree(e);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.Sqrt(tree.Nearest(g[3 * i], g[3 * i + 1], g[3 * i + 2]).Distance2);
        return sum / n;
    }

    /// <summary>
    /// The reference's <c>compute_pose_diff</c>: the mean 3D error (ADD, or ADI when
    /// <paramref name="symmetric"/>, pairing each ground-truth point with its closest estimated point)
    /// and the mean 2D distance (pixels) between the projections of the same pairs, projecting with
    /// u = K·X / (z + 1e-8).
    /// </summary>
    public static (double Error3D, double Error2DPx) ReferenceErrors(ReadOnlySpan<double> points, ReadOnlySpan<double> k,
        ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, ReadOnlySpan<double> rEst, ReadOnlySpan<double> tEst, bool symmetric)
    {
        int n = CheckPoints(points);
        Camera.CheckK(k);
        var g = Transform(points, rGt, tGt);
        var e = Transform(points, rEst, tEst);
        PointKdTree? tree = symmetric ? new PointKdTree(e) : null;
        double sum3 = 0, sum2 = 0;
        for (int i = 0; i < n; i++)
        {
            int j = tree == null ? i : tree.Nearest(g[3 * i], g[3 * i + 1], g[3 * i + 2]).Index;
            sum3 += Dist(g, e, i, j);
            var (ug, vg) = ProjectEps(k, g, i);
            var (ue, ve) = ProjectEps(k, e, j);
            sum2 += Math.Sqrt((ug - ue) * (ug - ue) + (vg - ve) * (vg - ve));
        }
        return (sum3 / n, sum2 / n);
    }

    /// <summary>Mean 2D reprojection distance (pixels) Σ_i ‖π(R_e x_i + t_e) − π(R_g x_i + t_g)‖ / n.</summary>
    public static double Reprojection(ReadOnlySpan<double> points, ReadOnlySpan<double> k, ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, ReadOnlySpan<double> rEst, ReadOnlySpan<double> tEst)
    {
        int n = CheckPoints(points);
        var pg = new double[2 * n];
        var pe = new double[2 * n];
        Camera.Project(rGt, tGt, k, points, pg);
        Camera.Project(rEst, tEst, k, points, pe);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.Sqrt((pg[2 * i] - pe[2 * i]) * (pg[2 * i] - pe[2 * i]) + (pg[2 * i + 1] - pe[2 * i + 1]) * (pg[2 * i + 1] - pe[2 * i + 1]));
        return sum / n;
    }

    /// <summary>
    /// MSSD = min_S max_i ‖(R_e x_i + t_e) − (R_g S x_i + t_g)‖ over the symmetry transforms S = (R_s, t_s)
    /// (<see cref="SymmetryTransforms"/>; each maps x to R_s x + t_s).
    /// </summary>
    public static double Mssd(ReadOnlySpan<double> points, ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, ReadOnlySpan<double> rEst, ReadOnlySpan<double> tEst, IReadOnlyList<RigidTransform> symmetries)
    {
        int n = CheckPoints(points);
        ArgumentNullException.ThrowIfNull(symmetries);
        var e = Transform(points, rEst, tEst);
        double best = double.PositiveInfinity;
        foreach (var s in symmetries)
        {
            var (rS, tS) = Compose(rGt, tGt, s);
            double mx = 0;
            for (int i = 0; i < n && mx < best; i++)
            {
                double x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
                double dx = rS[0] * x + rS[1] * y + rS[2] * z + tS[0] - e[3 * i];
                double dy = rS[3] * x + rS[4] * y + rS[5] * z + tS[1] - e[3 * i + 1];
                double dz = rS[6] * x + rS[7] * y + rS[8] * z + tS[2] - e[3 * i + 2];
                mx = Math.Max(mx, dx * dx + dy * dy + dz * dz);
            }
            best = Math.Min(best, mx);
        }
        return Math.Sqrt(best);
    }

    /// <summary>MSPD = min_S max_i ‖π(R_e x_i + t_e) − π(R_g S x_i + t_g)‖ (pixels).</summary>
    public static double Mspd(ReadOnlySpan<double> points, ReadOnlySpan<double> k, ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, ReadOnlySpan<double> rEst, ReadOnlySpan<double> tEst, IReadOnlyList<RigidTransform> symmetries)
    {
        int n = CheckPoints(points);
        ArgumentNullException.ThrowIfNull(symmetries);
        var pe = new double[2 * n];
        Camera.Project(rEst, tEst, k, points, pe);
        double best = double.PositiveInfinity;
        double fx = k[0], s0 = k[1], cx = k[2], fy = k[4], cy = k[5];
        foreach (var s in symmetries)
        {
            var (rS, tS) = Compose(rGt, tGt, s);
            double mx = 0;
            for (int i = 0; i < n && mx < best; i++)
            {
                double x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
                double xc = rS[0] * x + rS[1] * y + rS[2] * z + tS[0];
                double yc = rS[3] * x + rS[4] * y + rS[5] * z + tS[1];
                double zc = rS[6] * x + rS[7] * y + rS[8] * z + tS[2];
                double u = fx * xc / zc + s0 * yc / zc + cx, v = fy * yc / zc + cy;
                double du = u - pe[2 * i], dv = v - pe[2 * i + 1];
                mx = Math.Max(mx, du * du + dv * dv);
            }
            best = Math.Min(best, mx);
        }
        return Math.Sqrt(best);
    }

    /// <summary>
    /// Rotation error in degrees, bop_toolkit's <c>re</c>: arccos((tr(R_e·R_g⁻¹) − 1)/2) (see
    /// <see cref="Rotations.RotationMath.BopAngleDeg"/>; the inverse matters for annotations that are not
    /// exactly orthonormal).
    /// </summary>
    public static double RotationErrorDeg(ReadOnlySpan<double> rGt, ReadOnlySpan<double> rEst) => Rotations.RotationMath.BopAngleDeg(rEst, rGt);

    /// <summary>Translation error ‖t_e − t_g‖ (bop_toolkit <c>te</c>).</summary>
    public static double TranslationError(ReadOnlySpan<double> tGt, ReadOnlySpan<double> tEst)
    {
        if (tGt.Length != 3 || tEst.Length != 3) throw new ArgumentException($"translations must be [3], got [{tGt.Length}] and [{tEst.Length}]");
        double dx = tEst[0] - tGt[0], dy = tEst[1] - tGt[1], dz = tEst[2] - tGt[2];
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }

    private static (double[] R, double[] T) Compose(ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, RigidTransform s)
    {
        var r = Rotations.RotationMath.Multiply(rGt, s.R);
        var t = Rotations.RotationMath.Apply(rGt, s.T);
        t[0] += tGt[0]; t[1] += tGt[1]; t[2] += tGt[2];
        return (r, t);
    }

    private static (double U, double V) ProjectEps(ReadOnlySpan<double> k, double[] p, int i)
    {
        double x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
        double px = k[0] * x + k[1] * y + k[2] * z, py = k[3] * x + k[4] * y + k[5] * z, pz = k[6] * x + k[7] * y + k[8] * z;
        return (px / (pz + 1e-8), py / (pz + 1e-8));
    }

    private static double Dist(double[] a, double[] b, int i, int j)
    {
        double dx = a[3 * i] - b[3 * j], dy = a[3 * i + 1] - b[3 * j + 1], dz = a[3 * i + 2] - b[3 * j + 2];
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }

    internal static double[] Transform(ReadOnlySpan<double> points, ReadOnlySpan<double> r, ReadOnlySpan<double> t)
    {
        var o = new double[points.Length];
        Camera.Transform(r, t, points, o);
        return o;
    }

    private static int CheckPoints(ReadOnlySpan<double> points)
    {
        if (points.Length == 0 || points.Length % 3 != 0) throw new ArgumentException($"points must be a non-empty [n, 3] array, got length {points.Length}", nameof(points));
        return points.Length / 3;
    }
}
