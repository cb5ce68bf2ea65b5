using PoseKD.Geometry.Meshes;
using PoseKD.Geometry.Rotations;

namespace PoseKD.Geometry.Metrics;

/// <summary>
/// The symmetry transforms of a model as bop_toolkit's <c>get_symmetry_transformations</c>: the identity
/// plus the discrete symmetries; each continuous symmetry is discretised into rotations by
/// i·2π/N (i = 1…N−1, N = ⌈π / maxStep⌉, maxStep = 0.01 by default) about its axis through its offset
/// (t = −R·o + o), and the result is every composition (continuous ∘ discrete). As in the toolkit, when
/// continuous symmetries exist the identity rotation itself (i = 0) is not among the continuous steps.
/// </summary>
public static class SymmetryTransforms
{
    /// <summary>The transforms for <paramref name="info"/>.</summary>
    public static IReadOnlyList<RigidTransform> For(ModelInfo info, double maxSymDiscStep = 0.01)
    {
        ArgumentNullException.ThrowIfNull(info);
        var disc = new List<RigidTransform> { RigidTransform.Identity };
        foreach (var s in info.SymmetriesDiscrete)
            disc.Add(new RigidTransform([s[0], s[1], s[2], s[4], s[5], s[6], s[8], s[9], s[10]], [s[3], s[7], s[11]]));
        var cont = new List<RigidTransform>();
        foreach (var s in info.SymmetriesContinuous)
        {
            int steps = (int)Math.Ceiling(Math.PI / maxSymDiscStep);
            double step = 2 * Math.PI / steps;
            for (int i = 1; i < steps; i++)
            {
                var r = RotationMath.AxisAngle(s.Axis, i * step);
                var ro = RotationMath.Apply(r, s.Offset);
                cont.Add(new RigidTransform(r, [s.Offset[0] - ro[0], s.Offset[1] - ro[1], s.Offset[2] - ro[2]]));
            }
        }
        if (cont.Count == 0) return disc;
        var all = new List<RigidTransform>(disc.Count * cont.Count);
        foreach (var d in disc)
            foreach (var c in cont)
            {
                var r = RotationMath.Multiply(c.R, d.R);
                var t = RotationMath.Apply(c.R, d.T);
                all.Add(new RigidTransform(r, [t[0] + c.T[0], t[1] + c.T[1], t[2] + c.T[2]]));
            }
        return all;
    }
}
