namespace PoseKD.Data.Transforms;

/// <summary>
/// One network input after transforms and DZI: the normalised crop [3, S, S] (RGB, (x/255 − mean)/std),
/// the label map in crop space [S, S], the poses in the internal camera, <c>bbox_trans</c> (image → crop)
/// and the keypoints in crop pixels, plus the metadata an evaluation needs.
/// </summary>
public sealed class Sample
{
    /// <summary>Normalised image crop, planar [3, S, S].</summary>
    public required float[] Image { get; init; }

    /// <summary>Crop size S.</summary>
    public required int Size { get; init; }

    /// <summary>Labels in crop space [S, S] (0 background, i + 1 instance i, 255 ignore).</summary>
    public required byte[] Labels { get; init; }

    /// <summary>Class id per instance.</summary>
    public required int[] ClassIds { get; init; }

    /// <summary>Rotation [9] per instance, internal camera.</summary>
    public required double[][] R { get; init; }

    /// <summary>Translation [3] per instance, internal camera, mm.</summary>
    public required double[][] T { get; init; }

    /// <summary>Internal camera [9].</summary>
    public required double[] K { get; init; }

    /// <summary>Image → crop 2×3 affine [6].</summary>
    public required double[] BboxTrans { get; init; }

    /// <summary>Zoom factor S / side.</summary>
    public required double BboxScale { get; init; }

    /// <summary>Keypoints per instance in crop pixels [8·2].</summary>
    public required double[][] Keypoints { get; init; }

    /// <summary>Source image path.</summary>
    public required string Path { get; init; }

    /// <summary>Original camera [9] and image size.</summary>
    public required double[] OriginalK { get; init; }

    /// <summary>Original image width.</summary>
    public int OriginalWidth { get; init; }

    /// <summary>Original image height.</summary>
    public int OriginalHeight { get; init; }

    /// <summary>Original (unwarped) rotations per instance.</summary>
    public required double[][] OriginalR { get; init; }

    /// <summary>Original translations per instance, mm.</summary>
    public required double[][] OriginalT { get; init; }

    /// <summary>Index of the sample in its dataset.</summary>
    public int Index { get; init; }

    /// <summary>Scene id / image id (for BOP results).</summary>
    public int SceneId { get; init; }

    /// <summary>Image id.</summary>
    public int ImId { get; init; }
}
