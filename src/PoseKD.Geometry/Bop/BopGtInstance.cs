namespace PoseKD.Geometry.Bop;

/// <summary>One ground-truth instance of <c>scene_gt.json</c> (with its <c>scene_gt_info.json</c> visibility when present).</summary>
/// <param name="ObjId">Object id.</param>
/// <param name="R">cam_R_m2c [9], row-major.</param>
/// <param name="T">cam_t_m2c [3], mm.</param>
/// <param name="VisibFract">Visible fraction from scene_gt_info.json, or null.</param>
public sealed record BopGtInstance(int ObjId, double[] R, double[] T, double? VisibFract);
