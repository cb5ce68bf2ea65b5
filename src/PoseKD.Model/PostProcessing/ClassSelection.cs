using PoseKD.Model.Distillation;

namespace PoseKD.Model.PostProcessing;

/// <summary>The cells post-processing keeps for one class of one image, before PnP.</summary>
/// <param name="ClassId">Class id.</param>
/// <param name="Cells">Selected cells, level order then descending score.</param>
/// <param name="Scores">√sigmoid per cell.</param>
/// <param name="Keypoints">Decoded keypoints in image pixels [n·8·2].</param>
/// <param name="BoxSize">The box size (network-input pixels) that set the per-level counts.</param>
/// <param name="LevelCounts">The counts n_k per anchor size.</param>
public sealed record ClassSelection(int ClassId, IReadOnlyList<CellRef> Cells, float[] Scores, float[] Keypoints, float BoxSize, int[] LevelCounts);
