namespace PoseKD.Geometry.Rotations;

/// <summary>One entry of the reference's <c>SYMMETRY_TYPES</c> list: an axis ('X', 'Y' or 'Z') and a modulo angle in degrees (0 = fully symmetric about the axis).</summary>
/// <param name="Axis">'X', 'Y' or 'Z'.</param>
/// <param name="ModuloDeg">Symmetry period in degrees; 0 removes the rotation about the axis entirely.</param>
public readonly record struct EulerModulo(char Axis, double ModuloDeg);
