using PoseKD.Data.Transforms;

namespace PoseKD.Model.PostProcessing;

/// <summary>What post-processing needs to know about one image of a batch.</summary>
public sealed record PoseImageInfo
{
    /// <summary>Internal camera K [9] the keypoints are decoded into (PnP is solved against it).</summary>
    public required double[] K { get; init; }

    /// <summary>Image → network-input 2×3 affine [6] (the DZI crop); null when the network saw the image itself.</summary>
    public double[]? BboxTrans { get; init; }

    /// <summary>
    /// When set, only these classes are solved (the reference keeps the classes annotated in the image, a
    /// perfect-detector assumption); null solves every class that has candidates.
    /// </summary>
    public IReadOnlyCollection<int>? ClassFilter { get; init; }

    /// <summary>The image's own camera [9]; when set, poses are re-expressed in it (remap); null keeps the internal camera.</summary>
    public double[]? OriginalK { get; init; }

    /// <summary>Info of a test sample: its internal K and bbox_trans, its GT classes as filter, its original camera.</summary>
    public static PoseImageInfo FromSample(Sample sample, bool filterToAnnotatedClasses = true)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return new PoseImageInfo
        {
            K = (double[])sample.K.Clone(),
            BboxTrans = (double[])sample.BboxTrans.Clone(),
            ClassFilter = filterToAnnotatedClasses ? sample.ClassIds.ToHashSet() : null,
            OriginalK = (double[])sample.OriginalK.Clone(),
        };
    }
}
