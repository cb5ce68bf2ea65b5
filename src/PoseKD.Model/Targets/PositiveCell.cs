namespace PoseKD.Model.Targets;

/// <summary>
/// One training positive: the cell, the instance it was drawn for, and everything the regression losses need.
/// </summary>
public sealed class PositiveCell
{
    /// <summary>Image index within the batch.</summary>
    public required int Image { get; init; }

    /// <summary>FPN level.</summary>
    public required int Level { get; init; }

    /// <summary>Flat cell index y·W + x within the level.</summary>
    public required int Index { get; init; }

    /// <summary>Instance index within the image's annotation.</summary>
    public required int Instance { get; init; }

    /// <summary>Class id (0-based; the class label is ClassId + 1).</summary>
    public required int ClassId { get; init; }

    /// <summary>Anchor centre x (network-input pixels).</summary>
    public required float CenterX { get; init; }

    /// <summary>Anchor centre y (network-input pixels).</summary>
    public required float CenterY { get; init; }

    /// <summary>Anchor side (network-input pixels).</summary>
    public required float AnchorSize { get; init; }

    /// <summary>Regression target [16] (x offsets then y offsets, anchor units).</summary>
    public required float[] Offsets { get; init; }

    /// <summary>The instance's 8 keypoints in the (internal) camera frame, R·X + t, [8·3] mm.</summary>
    public required double[] CameraKeypoints { get; init; }

    /// <summary>The image's <c>bbox_trans</c> [6] (image → crop).</summary>
    public required double[] BboxTrans { get; init; }
}
