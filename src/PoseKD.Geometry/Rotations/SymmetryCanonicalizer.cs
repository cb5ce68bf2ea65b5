using System.Globalization;

namespace PoseKD.Geometry.Rotations;

/// <summary>
/// The reference's symmetry handling (<c>pose_symmetry_handling</c>): for each (axis, m) of a class's
/// <c>SYMMETRY_TYPES</c> list, in order, decompose R into static-axis Euler angles whose first angle
/// is the rotation about that axis (X: <c>sxyz</c>, Y: <c>syzx</c>, Z: <c>szyx</c>, transforms3d
/// conventions), replace that angle a by fmod(a, m) (by 0 when m = 0; fmod keeps the sign of a) and
/// recompose. Example: <c>cls_10: [Z, 180]</c> maps a rotation with z-angle 200° to one with 20°.
/// The reference casts the result to float32; this keeps double.
/// </summary>
public static class SymmetryCanonicalizer
{
    /// <summary>Canonicalises R [3, 3] by <paramref name="rules"/> into <paramref name="output"/> [9] (may alias).</summary>
    public static void Canonicalize(ReadOnlySpan<double> r, IReadOnlyList<EulerModulo> rules, Span<double> output)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (r.Length != 9 || output.Length != 9) throw new ArgumentException($"R and output must be [9], got [{r.Length}] and [{output.Length}]");
        Span<double> cur = stackalloc double[9];
        r.CopyTo(cur);
        foreach (var rule in rules)
        {
            string axes = char.ToUpperInvariant(rule.Axis) switch
            {
                'X' => "sxyz",
                'Y' => "syzx",
                'Z' => "szyx",
                _ => throw new ArgumentException($"symmetry axis should be 'X', 'Y' or 'Z', got '{rule.Axis}'", nameof(rules)),
            };
            var (ai, aj, ak) = Euler.FromMatrix(cur, axes);
            double mod = rule.ModuloDeg * Math.PI / 180;
            ai = mod == 0 ? 0 : ai % mod; // C fmod semantics, as np.fmod
            Euler.ToMatrix(ai, aj, ak, axes, cur);
        }
        cur.CopyTo(output);
    }

    /// <summary>Allocating overload of <see cref="Canonicalize(ReadOnlySpan{double}, IReadOnlyList{EulerModulo}, Span{double})"/>.</summary>
    public static double[] Canonicalize(ReadOnlySpan<double> r, IReadOnlyList<EulerModulo> rules)
    {
        var o = new double[9];
        Canonicalize(r, rules, o);
        return o;
    }

    /// <summary>
    /// Parses the reference's flat list form, e.g. <c>['X', 180, 'Y', 180, 'Z', 180]</c> given as
    /// strings ["X", "180", "Y", "180", …]; throws <see cref="FormatException"/> on an odd length, an
    /// unknown axis or a non-numeric angle.
    /// </summary>
    public static IReadOnlyList<EulerModulo> Parse(IReadOnlyList<string> flat)
    {
        ArgumentNullException.ThrowIfNull(flat);
        if (flat.Count % 2 != 0) throw new FormatException($"symmetry list must alternate axis and angle, got {flat.Count} items");
        var rules = new List<EulerModulo>();
        for (int i = 0; i < flat.Count; i += 2)
        {
            string ax = flat[i].Trim().Trim('\'', '"').ToUpperInvariant();
            if (ax is not ("X" or "Y" or "Z")) throw new FormatException($"symmetry axis should be 'X', 'Y' or 'Z', got '{flat[i]}' at position {i}");
            if (!double.TryParse(flat[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double deg))
                throw new FormatException($"symmetry angle at position {i + 1} is not a number: '{flat[i + 1]}'");
            rules.Add(new EulerModulo(ax[0], deg));
        }
        return rules;
    }
}
