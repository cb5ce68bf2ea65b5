namespace PoseKD.Model.Losses;

/// <summary>Which keypoint regression loss to use (<c>SOLVER.LOSS_REG_TYPE</c>).</summary>
public enum RegressionLossKind
{
    /// <summary><c>'3D'</c>: object-space loss — the GT camera-frame keypoint projected onto the predicted viewing ray, in diameters.</summary>
    ObjectSpace3D,

    /// <summary><c>'2D'</c>: image-space loss — smooth-L1 between predicted and GT keypoints in internal-image pixels.</summary>
    ImageSpace2D,
}
