using PoseKD.Geometry.Pnp;
using PoseKD.Geometry.Rotations;
using PoseKD.Model.Losses;

namespace PoseKD.Model.Targets;

/// <summary>
/// Settings of the head's targets, losses and post-processing (the reference's <c>SOLVER</c>/<c>TEST</c>
/// values, the internal camera and the per-class tables). The defaults are the reference's
/// (<c>configs/ape.yaml</c> plus its argument defaults).
/// </summary>
public sealed record HeadOptions
{
    /// <summary>Anchor side per level (<c>MODEL.ANCHOR_SIZES</c>); training uses the first L (levels present), post-processing all of them.</summary>
    public IReadOnlyList<int> AnchorSizes { get; init; } = [32, 64, 128, 256, 512];

    /// <summary>Anchor stride per level (<c>MODEL.ANCHOR_STRIDES</c>).</summary>
    public IReadOnlyList<int> AnchorStrides { get; init; } = [8, 16, 32, 64, 128];

    /// <summary>Positives per object summed over levels, before rounding (<c>SOLVER.POSITIVE_NUM</c>, 10).</summary>
    public int PositiveNum { get; init; } = 10;

    /// <summary>λ of the level share exp(−λ·log2(s/a_k)²) (<c>SOLVER.POSITIVE_LAMBDA</c>, 1).</summary>
    public double PositiveLambda { get; init; } = 1.0;

    /// <summary>Focal loss γ (<c>SOLVER.FOCAL_GAMMA</c>, 2).</summary>
    public float FocalGamma { get; init; } = 2f;

    /// <summary>Focal loss α (<c>SOLVER.FOCAL_ALPHA</c>, 0.25).</summary>
    public float FocalAlpha { get; init; } = 0.25f;

    /// <summary>Regression loss (<c>SOLVER.LOSS_REG_TYPE</c>, '3D').</summary>
    public RegressionLossKind LossRegType { get; init; } = RegressionLossKind.ObjectSpace3D;

    /// <summary>Weight of <c>loss_cls</c> (<c>SOLVER.LOSS_WEIGHT_CLS</c>, 0.1).</summary>
    public double LossWeightCls { get; init; } = 0.1;

    /// <summary>Weight of <c>loss_reg</c> (<c>SOLVER.LOSS_WEIGHT_REG</c>, 1).</summary>
    public double LossWeightReg { get; init; } = 1.0;

    /// <summary>Sigmoid score a cell must exceed to become a candidate at inference (<c>TEST.CONFIDENCE_TH</c>, 0.1).</summary>
    public double ConfidenceTh { get; init; } = 0.1;

    /// <summary>Internal camera K [9] (<c>INPUT.INTERNAL_K</c>, the LINEMOD camera).</summary>
    public IReadOnlyList<double> InternalK { get; init; } = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];

    /// <summary>Internal image width (<c>INPUT.INTERNAL_WIDTH</c>, 640).</summary>
    public int InternalWidth { get; init; } = 640;

    /// <summary>Internal image height (<c>INPUT.INTERNAL_HEIGHT</c>, 480).</summary>
    public int InternalHeight { get; init; } = 480;

    /// <summary>
    /// Object diameter per class in mm (<c>DATASETS.MESH_DIAMETERS</c>); the object-space loss divides by it.
    /// The default is the reference's LINEMOD table (which differs slightly from <c>models_info.json</c>, e.g. ape 104.26 vs 102.099).
    /// </summary>
    public IReadOnlyList<double> MeshDiameters { get; init; } =
        [104.26, 250.85, 167.49, 177.43, 204.83, 154.63, 129.85, 264.12, 110.83, 164.65, 178.35, 145.61, 279.04, 287.24, 213.25];

    /// <summary>
    /// Symmetry rules per class id (<c>DATASETS.SYMMETRY_TYPES</c>, keys <c>cls_9</c>, <c>cls_10</c> in the
    /// reference's file): predicted rotations of these classes are canonicalised.
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyList<EulerModulo>> SymmetryTypes { get; init; } = new Dictionary<int, IReadOnlyList<EulerModulo>>
    {
        [9] = [new EulerModulo('X', 180), new EulerModulo('Y', 180), new EulerModulo('Z', 180)],
        [10] = [new EulerModulo('Z', 180)],
    };

    /// <summary>
    /// RANSAC-EPnP settings of post-processing: threshold 5 px and no Levenberg–Marquardt refinement, as the
    /// reference's <c>solvePnPRansac(…, SOLVEPNP_EPNP, reprojectionError=5.0)</c> (set
    /// <see cref="RansacOptions.RefineIterations"/> to refine the pose on the inliers). OpenCV's acceptance rule
    /// too (any inlier count), so that a pose exists wherever the reference has one: set
    /// <see cref="RansacOptions.MinInliers"/> / <see cref="RansacOptions.MinInlierFraction"/> to refuse poses backed
    /// by few inliers (see docs/geometry.md).
    /// </summary>
    public RansacOptions Ransac { get; init; } = new()
    {
        ReprojectionErrorPx = 5.0, RefineIterations = 0, MinInliers = 0, MinInlierFraction = 0,
    };

    /// <summary>The reference defaults.</summary>
    public static HeadOptions Default { get; } = new();

    /// <summary>Checks the values; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">a value is out of range; the message names the field.</exception>
    public HeadOptions Validate()
    {
        if (AnchorSizes is null || AnchorStrides is null || AnchorSizes.Count == 0 || AnchorSizes.Count != AnchorStrides.Count)
            throw new ArgumentException($"ANCHOR_SIZES and ANCHOR_STRIDES must be non-empty and of equal length, got {AnchorSizes?.Count ?? 0} and {AnchorStrides?.Count ?? 0}");
        if (AnchorSizes.Any(v => v <= 0) || AnchorStrides.Any(v => v <= 0))
            throw new ArgumentException($"ANCHOR_SIZES and ANCHOR_STRIDES must be positive, got [{string.Join(", ", AnchorSizes)}] and [{string.Join(", ", AnchorStrides)}]");
        if (PositiveNum < 1) throw new ArgumentException($"POSITIVE_NUM must be ≥ 1, got {PositiveNum}");
        if (!(PositiveLambda >= 0)) throw new ArgumentException($"POSITIVE_LAMBDA must be ≥ 0, got {PositiveLambda}");
        if (!(FocalAlpha >= 0 && FocalAlpha <= 1)) throw new ArgumentException($"FOCAL_ALPHA must lie in [0, 1], got {FocalAlpha}");
        if (!(FocalGamma >= 0)) throw new ArgumentException($"FOCAL_GAMMA must be ≥ 0, got {FocalGamma}");
        if (!(ConfidenceTh >= 0 && ConfidenceTh < 1)) throw new ArgumentException($"CONFIDENCE_TH must lie in [0, 1), got {ConfidenceTh}");
        if (!double.IsFinite(LossWeightCls) || !double.IsFinite(LossWeightReg)) throw new ArgumentException($"LOSS_WEIGHT_CLS/REG must be finite, got {LossWeightCls} and {LossWeightReg}");
        if (InternalK is null || InternalK.Count != 9 || InternalK[0] == 0 || InternalK[4] == 0)
            throw new ArgumentException($"INTERNAL_K must have 9 entries with non-zero focal lengths, got [{string.Join(", ", InternalK ?? [])}]");
        if (InternalWidth <= 0 || InternalHeight <= 0) throw new ArgumentException($"INTERNAL_WIDTH/HEIGHT must be positive, got {InternalWidth}×{InternalHeight}");
        if (MeshDiameters is null || MeshDiameters.Any(d => !(d > 0))) throw new ArgumentException("MESH_DIAMETERS must be positive (mm)");
        ArgumentNullException.ThrowIfNull(SymmetryTypes);
        ArgumentNullException.ThrowIfNull(Ransac);
        return this;
    }

    /// <summary>Diameter of class <paramref name="classId"/> in mm.</summary>
    /// <exception cref="ArgumentException">the class has no entry in <see cref="MeshDiameters"/>.</exception>
    public double DiameterMm(int classId)
    {
        if (classId < 0 || classId >= MeshDiameters.Count)
            throw new ArgumentException($"class {classId} has no MESH_DIAMETERS entry (the table has {MeshDiameters.Count})");
        return MeshDiameters[classId];
    }
}
