namespace PoseKD.Geometry.Bop;

/// <summary>
/// Errors of one estimate against one ground-truth instance of the same object in the same image
/// (bop_toolkit's <c>eval_calc_errors</c>): ADD, ADI, AD (= ADI for symmetric objects, else ADD),
/// MSSD (mm), MSPD (px, unscaled), rotation error (deg) and translation error (mm).
/// </summary>
/// <param name="SceneId">Scene id.</param>
/// <param name="ImId">Image id.</param>
/// <param name="ObjId">Object id.</param>
/// <param name="EstRank">Rank of the estimate among the image's estimates of this object (0 = highest score).</param>
/// <param name="Score">Estimate score.</param>
/// <param name="GtId">Index of the ground-truth instance in the image's scene_gt list.</param>
/// <param name="Add">ADD, mm.</param>
/// <param name="Adi">ADI (ADD-S), mm.</param>
/// <param name="Ad">ADD(-S), mm.</param>
/// <param name="Mssd">MSSD, mm.</param>
/// <param name="Mspd">MSPD, pixels.</param>
/// <param name="ReDeg">Rotation error, degrees.</param>
/// <param name="TeMm">Translation error, mm.</param>
public sealed record BopEstimateError(int SceneId, int ImId, int ObjId, int EstRank, double Score, int GtId,
    double Add, double Adi, double Ad, double Mssd, double Mspd, double ReDeg, double TeMm);
