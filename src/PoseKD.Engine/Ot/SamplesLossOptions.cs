namespace PoseKD.Engine.Ot;

/// <summary>
/// Parameters of <see cref="SamplesLoss"/>, named and defaulted as geomloss 0.2.4's <c>SamplesLoss</c>
/// (loss "sinkhorn", p 2, blur 0.05, reach none, diameter none, scaling 0.5, debias true).
/// <para>Sinkhorn: ground cost C(x, y) = |x − y| for p = 1 and |x − y|²/2 for p = 2; temperature ε = blurᵖ;
/// marginal penalty ρ = reachᵖ (null reach = balanced transport, ρ = ∞); ε-scaling descends from diameterᵖ
/// to blurᵖ by factors of scalingᵖ. Kernel losses use blur as the kernel's scale σ.</para>
/// </summary>
public sealed record SamplesLossOptions
{
    /// <summary>The discrepancy to compute.</summary>
    public SamplesLossKind Kind { get; init; } = SamplesLossKind.Sinkhorn;

    /// <summary>Exponent of the ground cost, 1 or 2 (Sinkhorn only).</summary>
    public int P { get; init; } = 2;

    /// <summary>Finest scale σ: ε = σᵖ for Sinkhorn, the kernel width for Gaussian/Laplacian. Must be &gt; 0.</summary>
    public double Blur { get; init; } = 0.05;

    /// <summary>Scale τ of the unbalanced marginal penalty ρ = τᵖ; null = balanced transport.</summary>
    public double? Reach { get; init; }

    /// <summary>
    /// Coarsest scale of the ε-schedule; null = the diagonal of the bounding box of all points of a diameter
    /// group (see <see cref="CloudBatchLayout"/>; geomloss takes all points of one call).
    /// </summary>
    public double? Diameter { get; init; }

    /// <summary>Ratio between successive σ = ε^(1/p) of the ε-scaling descent, in (0, 1).</summary>
    public double Scaling { get; init; } = 0.5;

    /// <summary>Debiased divergence OT(α,β) − ½OT(α,α) − ½OT(β,β) (true) or the raw OT(α,β) (false).</summary>
    public bool Debias { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"SamplesLossOptions.Kind {(int)Kind} is not a SamplesLossKind");
        if (P is not (1 or 2)) throw new ArgumentException($"SamplesLossOptions.P must be 1 or 2, got {P}");
        if (!(Blur > 0) || double.IsInfinity(Blur)) throw new ArgumentException($"SamplesLossOptions.Blur must be a positive finite number, got {Blur}");
        if (Reach is { } r && (!(r > 0) || double.IsInfinity(r))) throw new ArgumentException($"SamplesLossOptions.Reach must be positive and finite (or null for balanced transport), got {r}");
        if (Diameter is { } d && (!(d > 0) || double.IsInfinity(d))) throw new ArgumentException($"SamplesLossOptions.Diameter must be positive and finite (or null), got {d}");
        if (!(Scaling > 0 && Scaling < 1)) throw new ArgumentException($"SamplesLossOptions.Scaling must lie in (0, 1), got {Scaling}");
    }
}
