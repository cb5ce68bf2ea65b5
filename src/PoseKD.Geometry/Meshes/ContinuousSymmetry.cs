namespace PoseKD.Geometry.Meshes;

/// <summary>A continuous rotational symmetry of a model (BOP <c>symmetries_continuous</c> entry): rotation about <see cref="Axis"/> through <see cref="Offset"/> (mm).</summary>
/// <param name="Axis">Rotation axis [3] (unit or not; normalised when used).</param>
/// <param name="Offset">A point on the axis [3], mm.</param>
public sealed record ContinuousSymmetry(double[] Axis, double[] Offset);
