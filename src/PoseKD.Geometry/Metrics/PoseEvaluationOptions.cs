namespace PoseKD.Geometry.Metrics;

/// <summary>Settings of <see cref="PoseEvaluator"/>; the defaults are the reference's (docs/method.md §7).</summary>
public sealed record PoseEvaluationOptions
{
    /// <summary>ADI/ADD thresholds as fractions of the diameter.</summary>
    public IReadOnlyList<double> AdiThresholds { get; init; } = [0.05, 0.10, 0.20, 0.50];

    /// <summary>Reprojection thresholds, pixels.</summary>
    public IReadOnlyList<double> RepThresholdsPx { get; init; } = [2, 5, 10, 20];

    /// <summary>Largest absolute 3D error of the AUC curve, mm.</summary>
    public double AucMaxErrorMm { get; init; } = 100;

    /// <summary>Bins of the AUC curve.</summary>
    public int AucBins { get; init; } = 1000;

    /// <summary>Number of depth bins between the smallest and largest ground-truth depth.</summary>
    public int DepthBins { get; init; } = 3;

    /// <summary>
    /// When set, each error uses this many vertices drawn at random with replacement (the reference draws
    /// 1000 when a mesh has more); null = all vertices (PoseKD's default).
    /// </summary>
    public int? SampleVertices { get; init; }

    /// <summary>Seed of the vertex sampling.</summary>
    public int Seed { get; init; } = 0;

    /// <summary>Relative 3D error (fraction of d) recorded for a missing prediction.</summary>
    public double MissingAdi { get; init; } = 1.0;

    /// <summary>2D error (pixels) recorded for a missing prediction.</summary>
    public double MissingRepPx { get; init; } = 50;

    /// <summary>The reference's settings with its 1000-vertex sampling.</summary>
    public static PoseEvaluationOptions Reference => new() { SampleVertices = 1000 };
}
