namespace PoseKD.Geometry.Bop;

/// <summary>One entry of <c>test_targets_bop19.json</c>: find <see cref="InstCount"/> instances of <see cref="ObjId"/> in the image.</summary>
/// <param name="SceneId">Scene id.</param>
/// <param name="ImId">Image id.</param>
/// <param name="ObjId">Object id.</param>
/// <param name="InstCount">Number of instances to localise.</param>
public sealed record BopTarget(int SceneId, int ImId, int ObjId, int InstCount);
