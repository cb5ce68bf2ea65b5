namespace PoseKD.Model.Distillation;

/// <summary>A feature-map cell: FPN level (0 = stride 8) and flat index y·W_k + x within that level.</summary>
/// <param name="Level">FPN level index.</param>
/// <param name="Index">Flat cell index within the level, row-major.</param>
public readonly record struct CellRef(int Level, int Index);
