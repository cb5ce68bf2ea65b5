namespace PoseKD.Model.Distillation;

/// <summary>An axis-aligned object box in the network's input (crop) pixels: [X0, X1] × [Y0, Y1].</summary>
/// <param name="X0">Left edge.</param>
/// <param name="Y0">Top edge.</param>
/// <param name="X1">Right edge.</param>
/// <param name="Y1">Bottom edge.</param>
public readonly record struct ObjectBox(float X0, float Y0, float X1, float Y1)
{
    /// <summary>Whether (x, y) lies in the box (edges included).</summary>
    public bool Contains(float x, float y) => x >= X0 && x <= X1 && y >= Y0 && y <= Y1;
}
