namespace PoseKD.Training.Evaluation;

/// <summary>One ground-truth instance of a test image with the prediction of its class (null when missed), in the image's own camera.</summary>
public sealed record ImagePrediction
{
    /// <summary>Image path.</summary>
    public required string Path { get; init; }
    /// <summary>Index of the image in its dataset.</summary>
    public int Index { get; init; }
    /// <summary>The image's own camera K [9].</summary>
    public double[] K { get; init; } = [];
    /// <summary>BOP scene id.</summary>
    public required int SceneId { get; init; }
    /// <summary>BOP image id.</summary>
    public required int ImId { get; init; }
    /// <summary>Class id (0-based).</summary>
    public required int ClassId { get; init; }
    /// <summary>BOP object id.</summary>
    public required int ObjId { get; init; }
    /// <summary>Ground-truth rotation [9], row-major.</summary>
    public required double[] RGt { get; init; }
    /// <summary>Ground-truth translation [3], mm.</summary>
    public required double[] TGt { get; init; }
    /// <summary>Predicted rotation [9], or null.</summary>
    public double[]? R { get; init; }
    /// <summary>Predicted translation [3] mm, or null.</summary>
    public double[]? T { get; init; }
    /// <summary>Prediction score (√sigmoid), 0 when missed.</summary>
    public double Score { get; init; }
    /// <summary>RANSAC inliers of the prediction.</summary>
    public int Inliers { get; init; }
    /// <summary>3D error / diameter (ADD or ADI), 1 when missed.</summary>
    public double RelativeError3D { get; init; }
    /// <summary>3D error in mm.</summary>
    public double Error3DMm { get; init; }
    /// <summary>Mean 2D reprojection error in pixels.</summary>
    public double Error2DPx { get; init; }
    /// <summary>Seconds spent on this image (network share + post-processing), for the BOP CSV.</summary>
    public double TimeSec { get; init; }
}
