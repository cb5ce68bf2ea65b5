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

    /// <summary>Image width in pixels for the MSPD scaling (640 / width); null = read from the first PNG of each scene, else 640.</summary>
    public int? ImageWidth { get; init; }

    /// <summary>Folder with obj_XXXXXX.ply and models_info.json; null = models_eval/ when it exists, else models/.</summary>
    public string? ModelsDir { get; init; }
}
