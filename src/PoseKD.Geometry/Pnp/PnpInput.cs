namespace PoseKD.Geometry.Pnp;

/// <summary>Argument checks shared by the PnP solvers.</summary>
internal static class PnpInput
{
    /// <summary>Checks shapes ([n, 3], [n, 2], K [9] with non-zero focal lengths) and returns n.</summary>
    public static int Check(ReadOnlySpan<double> objectPoints, ReadOnlySpan<double> imagePoints, ReadOnlySpan<double> k)
    {
        if (objectPoints.Length % 3 != 0 || imagePoints.Length % 2 != 0 || objectPoints.Length / 3 != imagePoints.Length / 2)
            throw new ArgumentException($"object points [{objectPoints.Length / 3.0}, 3] and image points [{imagePoints.Length / 2.0}, 2] must hold the same number of points");
        Cameras.Camera.CheckK(k);
        return objectPoints.Length / 3;
    }

    public static bool AllFinite(ReadOnlySpan<double> v)
    {
        foreach (double x in v) if (!double.IsFinite(x)) return false;
        return true;
    }
}
