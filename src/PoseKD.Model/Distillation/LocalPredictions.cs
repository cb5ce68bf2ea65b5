using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Distillation;

/// <summary>
/// One image's local predictions, the unit the distillation losses compare: a set of feature-map
/// cells, each with its 8 decoded keypoints (internal-image pixels) and a weight.
/// For the teacher these are the cells post-processing selects (weights = √sigmoid score); for the
/// student they are its training positives (weights = sigmoid class score, still attached to the graph).
/// </summary>
/// <param name="Keypoints">[n, 8, 2] decoded keypoints (x, y) in internal-image pixels.</param>
/// <param name="Weights">[n] per-cell weights, as described above (not yet clamped or squared).</param>
/// <param name="Cells">The n cells, in the same order as the rows.</param>
public sealed record LocalPredictions(Tensor Keypoints, Tensor Weights, IReadOnlyList<CellRef> Cells)
{
    /// <summary>Number of cells.</summary>
    public int Count => Cells.Count;
}
