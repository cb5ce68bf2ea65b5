using PoseKD.Engine.Ot;

namespace PoseKD.Model.Distillation;

/// <summary>
/// Settings of the prediction-level distillation loss. Names and defaults follow the reference's flags
/// (<c>arguments/argument_kd.py</c>): <c>--gtype sinkhorn --p 2 --blur 0.001 --scaling 0.5 --reach 0.5
/// --weightedOT true --wot_detach false --kd_weight 5</c>.
/// </summary>
public sealed record KdOptions
{
    /// <summary><c>gtype</c>: which loss compares the local predictions.</summary>
    public KdLossType GType { get; init; } = KdLossType.Sinkhorn;

    /// <summary><c>p</c>: exponent of the OT ground cost |x − y|ᵖ/p (1 or 2).</summary>
    public int P { get; init; } = 2;

    /// <summary><c>blur</c>: finest OT scale (ε = blurᵖ), or the kernel width of the kernel losses, in normalised image units.</summary>
    public double Blur { get; init; } = 0.001;

    /// <summary><c>scaling</c>: ε-scaling ratio of the Sinkhorn iterations.</summary>
    public double Scaling { get; init; } = 0.5;

    /// <summary><c>reach</c>: unbalanced-OT scale (ρ = reachᵖ); null = balanced transport.</summary>
    public double? Reach { get; init; } = 0.5;

    /// <summary><c>weightedOT</c>: weight the points by class scores (true) or uniformly, 1/n per cloud (false).</summary>
    public bool WeightedOt { get; init; } = true;

    /// <summary><c>wot_detach</c>: stop the gradient into the student's class scores used as weights.</summary>
    public bool WotDetach { get; init; }

    /// <summary><c>kd_weight</c>: the factor the KD term enters the total loss with (0 disables distillation).</summary>
    public double KdWeight { get; init; } = 5.0;

    /// <summary>Divisors of the x and y pixel coordinates (the reference's w = 640, h = 480 internal image).</summary>
    public float ImageWidth { get; init; } = 640f;

    /// <summary>See <see cref="ImageWidth"/>.</summary>
    public float ImageHeight { get; init; } = 480f;

    /// <summary>Bounds of the clamp applied to the student's scores (the reference's 10e-4 and 1 − 10e-4).</summary>
    public float ScoreClampMin { get; init; } = 1e-3f;

    /// <summary>See <see cref="ScoreClampMin"/>.</summary>
    public float ScoreClampMax { get; init; } = 1f - 1e-3f;

    /// <summary>Parses a <c>gtype</c> flag value (sinkhorn, gaussian, laplacian, energy, l1, l2; case-insensitive).</summary>
    public static KdLossType ParseGType(string value) => value?.Trim().ToLowerInvariant() switch
    {
        "sinkhorn" => KdLossType.Sinkhorn,
        "gaussian" => KdLossType.Gaussian,
        "laplacian" => KdLossType.Laplacian,
        "energy" => KdLossType.Energy,
        "l1" => KdLossType.L1,
        "l2" => KdLossType.L2,
        _ => throw new ArgumentException($"gtype '{value}' is not one of sinkhorn, gaussian, laplacian, energy, l1, l2"),
    };

    /// <summary>The point-cloud loss settings these options imply (for the OT and kernel gtypes).</summary>
    public SamplesLossOptions ToSamplesLossOptions() => new()
    {
        Kind = GType switch
        {
            KdLossType.Sinkhorn => SamplesLossKind.Sinkhorn,
            KdLossType.Gaussian => SamplesLossKind.Gaussian,
            KdLossType.Laplacian => SamplesLossKind.Laplacian,
            KdLossType.Energy => SamplesLossKind.Energy,
            _ => throw new InvalidOperationException($"gtype {GType} is a point-to-point loss, not a point-cloud loss"),
        },
        P = P,
        Blur = Blur,
        Scaling = Scaling,
        Reach = Reach,
        Debias = true,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(GType)) throw new ArgumentException($"KdOptions.GType {(int)GType} is not a KdLossType");
        if (!(KdWeight >= 0) || double.IsInfinity(KdWeight)) throw new ArgumentException($"KdOptions.KdWeight must be finite and ≥ 0, got {KdWeight}");
        if (!(ImageWidth > 0) || !(ImageHeight > 0)) throw new ArgumentException($"KdOptions.ImageWidth/ImageHeight must be positive, got {ImageWidth}×{ImageHeight}");
        if (!(ScoreClampMin > 0 && ScoreClampMin < ScoreClampMax && ScoreClampMax <= 1))
            throw new ArgumentException($"KdOptions.ScoreClampMin/Max must satisfy 0 < min < max ≤ 1, got {ScoreClampMin}, {ScoreClampMax}");
        if (GType is not (KdLossType.L1 or KdLossType.L2)) ToSamplesLossOptions().Validate();
    }
}
