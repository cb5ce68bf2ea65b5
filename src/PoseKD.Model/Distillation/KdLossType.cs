namespace PoseKD.Model.Distillation;

/// <summary>The distillation loss between student and teacher local predictions (the reference's <c>--gtype</c>).</summary>
public enum KdLossType
{
    /// <summary>Debiased (unbalanced) Sinkhorn divergence between the weighted keypoint clouds — the paper's loss.</summary>
    Sinkhorn,

    /// <summary>Gaussian-kernel MMD between the weighted keypoint clouds.</summary>
    Gaussian,

    /// <summary>Laplacian-kernel MMD between the weighted keypoint clouds.</summary>
    Laplacian,

    /// <summary>Energy distance between the weighted keypoint clouds.</summary>
    Energy,

    /// <summary>Point-to-point L1 between the student's and the teacher's keypoints decoded at the student's cells.</summary>
    L1,

    /// <summary>Point-to-point squared L2 between the student's and the teacher's keypoints decoded at the student's cells.</summary>
    L2,
}
