namespace PoseKD.Geometry.Metrics;

/// <summary>A rigid transform x ↦ R·x + T (R [9] row-major, T [3]).</summary>
/// <param name="R">Rotation [9].</param>
/// <param name="T">Translation [3].</param>
public sealed record RigidTransform(double[] R, double[] T)
{
    /// <summary>The identity transform.</summary>
    public static RigidTransform Identity => new([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0]);
}
