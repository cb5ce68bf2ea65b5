namespace PoseKD.Model.Targets;

/// <summary>
/// One FPN level's cell grid and its square anchors. The anchor of cell (y, x) is centred at
/// (x·stride + stride/2, y·stride + stride/2) and has side <see cref="AnchorSize"/> — the reference's anchor box
/// (x1, y1, x2, y2) with centre (x1 + x2)/2 and width x2 − x1 + 1 (its "+1 pixel" convention).
/// </summary>
/// <param name="Height">Cells per column.</param>
/// <param name="Width">Cells per row.</param>
/// <param name="Stride">Input pixels per cell.</param>
/// <param name="AnchorSize">Anchor side in input pixels.</param>
public readonly record struct LevelGrid(int Height, int Width, int Stride, int AnchorSize)
{
    /// <summary>Number of cells H·W.</summary>
    public int Count => Height * Width;

    /// <summary>Anchor centre x of flat cell <paramref name="index"/> (= y·W + x).</summary>
    public float CenterX(int index) => index % Width * Stride + Stride / 2f;

    /// <summary>Anchor centre y of flat cell <paramref name="index"/>.</summary>
    public float CenterY(int index) => index / Width * Stride + Stride / 2f;
}
