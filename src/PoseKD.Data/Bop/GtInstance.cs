namespace PoseKD.Data.Bop;

/// <summary>One annotated object of an image: class, BOP obj id, pose (X_c = R·X + t, mm) and its index in <c>scene_gt.json</c>.</summary>
/// <param name="ClassId">Position of the object's model in the sorted models folder.</param>
/// <param name="ObjId">BOP object id.</param>
/// <param name="R">Rotation, row-major [9] (<c>cam_R_m2c</c>).</param>
/// <param name="T">Translation [3], mm (<c>cam_t_m2c</c>).</param>
/// <param name="GtIndex">Index in the image's <c>scene_gt.json</c> list (names the mask file).</param>
public sealed record GtInstance(int ClassId, int ObjId, double[] R, double[] T, int GtIndex);
