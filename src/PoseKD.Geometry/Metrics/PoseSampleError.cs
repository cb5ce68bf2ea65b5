namespace PoseKD.Geometry.Metrics;

/// <summary>Errors of one ground-truth instance (the reference's per-sample bookkeeping).</summary>
/// <param name="ClassId">Class of the instance.</param>
/// <param name="DepthMm">Ground-truth depth t_z, mm.</param>
/// <param name="Missing">True when there was no prediction.</param>
/// <param name="RelativeError3D">3D error (ADD, or ADI for symmetric classes) divided by the diameter; 1 when missing.</param>
/// <param name="Error3DMm">Absolute 3D error, mm; 1e10 when missing.</param>
/// <param name="Error2DPx">Mean reprojection error of the same point pairs, pixels; 50 when missing.</param>
public readonly record struct PoseSampleError(int ClassId, double DepthMm, bool Missing, double RelativeError3D, double Error3DMm, double Error2DPx);
