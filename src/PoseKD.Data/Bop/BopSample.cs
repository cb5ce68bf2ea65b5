namespace PoseKD.Data.Bop;

/// <summary>
/// The annotation of one image (the reference's <c>get_single_bop_annotation</c>): camera K, the kept
/// instances and the merged label map (0 background, i + 1 where instance i's visible mask is 255).
/// </summary>
public sealed class BopSample
{
    /// <summary>Image path.</summary>
    public required string ImagePath { get; init; }

    /// <summary>Scene folder (parent of <c>rgb</c>).</summary>
    public required string SceneDir { get; init; }

    /// <summary>Scene id (folder name as a number, or −1 when it is not numeric).</summary>
    public int SceneId { get; init; }

    /// <summary>Image id (file name as a number).</summary>
    public int ImId { get; init; }

    /// <summary>Intrinsics, row-major [9].</summary>
    public required double[] K { get; init; }

    /// <summary>Annotated instances whose obj id has a model.</summary>
    public required IReadOnlyList<GtInstance> Instances { get; init; }

    /// <summary>Merged instance labels [H, W] (0 = background, 1..n).</summary>
    public required byte[] Labels { get; init; }

    /// <summary>Mask width (= image width).</summary>
    public int Width { get; init; }

    /// <summary>Mask height (= image height).</summary>
    public int Height { get; init; }

    /// <summary>Instances in <c>scene_gt.json</c> skipped because their obj id has no model.</summary>
    public int SkippedInstances { get; init; }
}
