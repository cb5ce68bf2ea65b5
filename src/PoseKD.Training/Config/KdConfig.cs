namespace PoseKD.Training.Config;

/// <summary>
/// The <c>KD</c> section, with the reference's distillation flags as keys (<c>--kd_weight</c> → <c>LOSS_WEIGHT_KD</c>,
/// <c>--gtype</c> → <c>GTYPE</c>, …). The reference's ape.yaml holds a placeholder list <c>LOSS_WEIGHT_KD: [1, 1, 1, 1]</c>
/// that its command line always replaces by <c>--kd_weight</c> (default 5); PoseKD reads a list the same way
/// (<see cref="LossWeightKdList"/>) and uses <see cref="LossWeightKd"/>.
/// </summary>
public sealed record KdConfig
{
    /// <summary>Weight of the KD term (the reference's <c>--kd_weight</c>, default 5; 0 = student baseline).</summary>
    public double LossWeightKd { get; init; } = 5;
    /// <summary>The list form found in a reference config, kept for the resolved config; not used.</summary>
    public double[]? LossWeightKdList { get; init; }
    /// <summary><c>LEVEL</c>: what is distilled (pred).</summary>
    public string Level { get; init; } = "pred";
    /// <summary><c>GLEVEL</c>: point.</summary>
    public string GLevel { get; init; } = "point";
    /// <summary><c>GTYPE</c>: sinkhorn, gaussian, laplacian, energy, l1 or l2.</summary>
    public string GType { get; init; } = "sinkhorn";
    /// <summary><c>GP</c>: exponent p of the cost |x − y|^p / p.</summary>
    public double GP { get; init; } = 2.0;
    /// <summary><c>GBLUR</c>: blur (ε = blur^p).</summary>
    public double GBlur { get; init; } = 0.001;
    /// <summary><c>GnD</c>: point dimension.</summary>
    public int GnD { get; init; } = 2;
    /// <summary><c>WEIGHTED_OT</c>: weight the clouds by the class scores.</summary>
    public bool WeightedOT { get; init; } = true;
    /// <summary><c>DETACH</c>: detach the student's weights (the reference's <c>--wot_detach</c>).</summary>
    public bool Detach { get; init; }
    /// <summary><c>SCALING</c>: ε-scaling factor.</summary>
    public double Scaling { get; init; } = 0.5;
    /// <summary><c>REACH</c>: unbalanced reach (ρ = reach^p).</summary>
    public double Reach { get; init; } = 0.5;
    /// <summary><c>FEATURE_WEIGHT</c> (PoseKD key): weight of FPN feature imitation; 0 = off.</summary>
    public double FeatureWeight { get; init; }
}
