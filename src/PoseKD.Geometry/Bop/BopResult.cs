namespace PoseKD.Geometry.Bop;

/// <summary>One line of a BOP results CSV: an estimated pose of object <see cref="ObjId"/> in image <see cref="ImId"/> of scene <see cref="SceneId"/>.</summary>
/// <param name="SceneId">Scene id.</param>
/// <param name="ImId">Image id.</param>
/// <param name="ObjId">Object id.</param>
/// <param name="Score">Confidence (higher = better).</param>
/// <param name="R">Rotation [9], row-major, model → camera.</param>
/// <param name="T">Translation [3], mm.</param>
/// <param name="TimeSec">Run time of the image in seconds (−1 = unknown).</param>
public sealed record BopResult(int SceneId, int ImId, int ObjId, double Score, double[] R, double[] T, double TimeSec = -1);
