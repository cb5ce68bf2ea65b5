using PoseKD.Model.Distillation;

namespace PoseKD.Model.PostProcessing;

/// <summary>One predicted object pose and the evidence it came from.</summary>
public sealed class PosePrediction
{
    /// <summary>Class id (0-based).</summary>
    public required int ClassId { get; init; }

    /// <summary>Score: the largest √sigmoid of the cells used.</summary>
    public required double Score { get; init; }

    /// <summary>Rotation [9] row-major in the output camera (the original one when remapped), symmetry-canonicalised.</summary>
    public required double[] R { get; init; }

    /// <summary>Translation [3] in mm in the output camera.</summary>
    public required double[] T { get; init; }

    /// <summary>Rotation [9] in the internal camera (after symmetry canonicalisation).</summary>
    public required double[] RInternal { get; init; }

    /// <summary>Translation [3] in the internal camera.</summary>
    public required double[] TInternal { get; init; }

    /// <summary>Indices of the RANSAC inliers among the 8·n correspondences.</summary>
    public required int[] Inliers { get; init; }

    /// <summary>Number of RANSAC inliers.</summary>
    public int InlierCount => Inliers.Length;

    /// <summary>The selected cells (level order, then descending score).</summary>
    public required IReadOnlyList<CellRef> Cells { get; init; }

    /// <summary>√sigmoid of each selected cell [n].</summary>
    public required float[] CellScores { get; init; }

    /// <summary>The decoded keypoints of the selected cells in internal-image pixels [n·8·2] (x, y per keypoint).</summary>
    public required float[] Keypoints { get; init; }

    /// <summary>Mean reprojection difference of the remap in pixels (0 when not remapped).</summary>
    public double RemapErrorPx { get; init; }
}
