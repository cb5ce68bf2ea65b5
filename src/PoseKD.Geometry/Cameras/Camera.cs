namespace PoseKD.Geometry.Cameras;

/// <summary>
/// Pinhole projection with intrinsics K (row-major 3×3, pixels) and pose (R row-major 3×3, t in mm):
/// X_c = R·X + t, (u, v) = (K00·x/z + K01·y/z + K02, K11·y/z + K12).
/// </summary>
public static class Camera
{
    /// <summary>Transforms model points [n, 3] into the camera frame: out_i = R·p_i + t, [n, 3].</summary>
    public static void Transform(ReadOnlySpan<double> r, ReadOnlySpan<double> t, ReadOnlySpan<double> points, Span<double> output)
    {
        CheckPose(r, t);
        if (points.Length % 3 != 0 || output.Length != points.Length)
            throw new ArgumentException($"points [{points.Length / 3.0}, 3] and output [{output.Length / 3.0}, 3] must be equal [n, 3] arrays");
        for (int i = 0; i < points.Length; i += 3)
        {
            double x = points[i], y = points[i + 1], z = points[i + 2];
            output[i] = r[0] * x + r[1] * y + r[2] * z + t[0];
            output[i + 1] = r[3] * x + r[4] * y + r[5] * z + t[1];
            output[i + 2] = r[6] * x + r[7] * y + r[8] * z + t[2];
        }
    }

    /// <summary>Projects model points [n, 3] with pose (R, t) and K to pixels [n, 2]; a point with z = 0 gives ±∞/NaN.</summary>
    public static void Project(ReadOnlySpan<double> r, ReadOnlySpan<double> t, ReadOnlySpan<double> k, ReadOnlySpan<double> points, Span<double> pixels)
    {
        CheckPose(r, t);
        CheckK(k);
        int n = points.Length / 3;
        if (points.Length % 3 != 0 || pixels.Length != 2 * n)
            throw new ArgumentException($"points [{points.Length / 3.0}, 3] and pixels [{pixels.Length / 2.0}, 2] must hold the same number of points");
        for (int i = 0; i < n; i++)
        {
            double x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
            double xc = r[0] * x + r[1] * y + r[2] * z + t[0];
            double yc = r[3] * x + r[4] * y + r[5] * z + t[1];
            double zc = r[6] * x + r[7] * y + r[8] * z + t[2];
            double xn = xc / zc, yn = yc / zc;
            pixels[2 * i] = k[0] * xn + k[1] * yn + k[2];
            pixels[2 * i + 1] = k[4] * yn + k[5];
        }
    }

    /// <summary>Projects camera-frame points [n, 3] with K to pixels [n, 2].</summary>
    public static void ProjectCameraPoints(ReadOnlySpan<double> k, ReadOnlySpan<double> cameraPoints, Span<double> pixels)
    {
        CheckK(k);
        int n = cameraPoints.Length / 3;
        if (cameraPoints.Length % 3 != 0 || pixels.Length != 2 * n)
            throw new ArgumentException($"points [{cameraPoints.Length / 3.0}, 3] and pixels [{pixels.Length / 2.0}, 2] must hold the same number of points");
        for (int i = 0; i < n; i++)
        {
            double xn = cameraPoints[3 * i] / cameraPoints[3 * i + 2], yn = cameraPoints[3 * i + 1] / cameraPoints[3 * i + 2];
            pixels[2 * i] = k[0] * xn + k[1] * yn + k[2];
            pixels[2 * i + 1] = k[4] * yn + k[5];
        }
    }

    /// <summary>Viewing ray b = K⁻¹·[u, v, 1]ᵀ of pixel (u, v) (z component 1), into <paramref name="ray"/> [3].</summary>
    public static void BackProject(ReadOnlySpan<double> k, double u, double v, Span<double> ray)
    {
        CheckK(k);
        if (ray.Length != 3) throw new ArgumentException($"ray must be [3], got [{ray.Length}]", nameof(ray));
        double yn = (v - k[5]) / k[4];
        double xn = (u - k[2] - k[1] * yn) / k[0];
        ray[0] = xn; ray[1] = yn; ray[2] = 1;
    }

    /// <summary>Viewing rays [n, 3] (z = 1) of pixels [n, 2].</summary>
    public static void BackProject(ReadOnlySpan<double> k, ReadOnlySpan<double> pixels, Span<double> rays)
    {
        int n = pixels.Length / 2;
        if (pixels.Length % 2 != 0 || rays.Length != 3 * n)
            throw new ArgumentException($"pixels [{pixels.Length / 2.0}, 2] and rays [{rays.Length / 3.0}, 3] must hold the same number of points");
        for (int i = 0; i < n; i++) BackProject(k, pixels[2 * i], pixels[2 * i + 1], rays.Slice(3 * i, 3));
    }

    /// <summary>Inverse of an upper-triangular intrinsic matrix K [3, 3].</summary>
    public static double[] InvertK(ReadOnlySpan<double> k)
    {
        CheckK(k);
        double fx = k[0], s = k[1], cx = k[2], fy = k[4], cy = k[5];
        return [1 / fx, -s / (fx * fy), (s * cy - cx * fy) / (fx * fy), 0, 1 / fy, -cy / fy, 0, 0, 1];
    }

    private static void CheckPose(ReadOnlySpan<double> r, ReadOnlySpan<double> t)
    {
        if (r.Length != 9 || t.Length != 3) throw new ArgumentException($"R must be [9] (3×3 row-major) and t [3], got [{r.Length}] and [{t.Length}]");
    }

    internal static void CheckK(ReadOnlySpan<double> k)
    {
        if (k.Length != 9) throw new ArgumentException($"K must be [9] (3×3 row-major), got [{k.Length}]", nameof(k));
        if (!(k[0] != 0 && k[4] != 0 && double.IsFinite(k[0]) && double.IsFinite(k[4])))
            throw new ArgumentException($"K has invalid focal lengths fx={k[0]}, fy={k[4]}", nameof(k));
    }
}
