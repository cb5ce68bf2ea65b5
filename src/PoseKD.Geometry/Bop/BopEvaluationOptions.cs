namespace PoseKD.Geometry.Bop;

/// <summary>Settings of <see cref="BopEvaluator"/>; defaults are BOP19's.</summary>
public sealed record BopEvaluationOptions
{
    /// <summary>MSSD thresholds as fractions of the diameter (0.05…0.50).</summary>
    public IReadOnlyList<double> MssdThresholds { get; init; } = Enumerable.Range(1, 10).Select(i => 0.05 * i).ToArray();

    /// <summary>MSPD thresholds in pixels at 640 px image width (5…50).</summary>
    public IReadOnlyList<double> MspdThresholdsPx { get; init; } = Enumerable.Range(1, 10).Select(i => 5.0 * i).ToArray();

    /// <summary>ADD(-S) threshold as a fraction of the diameter.</summary>
    public double AddThreshold { get; init; } = 0.1;

    /// <summary>Largest step (radians × diameter units) when discretising continuous symmetries.</summary>
    public double MaxSymDiscStep { get; init; } = 0.01;

    /// <summary>
    /// Image width in pixels for the MSPD scaling (640 / width); null = the <c>width</c> of the dataset's
    /// <c>camera.json</c> when present, else the width of the first PNG of each scene (its header checked,
    /// CRC included), else 640 (with a note). Must be &gt; 0 when given.
    /// </summary>
    public int? ImageWidth { get; init; }

    /// <summary>
    /// When false (default) an estimate whose R is not a proper rotation is an error; when true it is
    /// counted as a failed estimate (it takes its rank but never matches) and the count is reported.
    /// </summary>
    public bool CountInvalidRotationsAsFailed { get; init; }

    /// <summary>Folder with obj_XXXXXX.ply and models_info.json; null = models_eval/ when it exists, else models/.</summary>
    public string? ModelsDir { get; init; }
}
