using PoseKD.Data.Transforms;
using PoseKD.Engine.Tensors;

namespace PoseKD.Data.Loading;

/// <summary>A batch: images N×3×S×S (float32, normalised) and the per-image targets and metadata.</summary>
/// <param name="Images">Image tensor [N, 3, S, S].</param>
/// <param name="Samples">Per-image targets (class ids, R, t, K, crop labels, bbox_trans, keypoints, meta).</param>
public sealed record Batch(Tensor Images, IReadOnlyList<Sample> Samples);
