namespace PoseKD.Engine.Ot;

/// <summary>Which discrepancy <see cref="SamplesLoss"/> computes between two weighted point clouds (geomloss's <c>loss</c> names).</summary>
public enum SamplesLossKind
{
    /// <summary>Entropy-regularised optimal transport: the (debiased) Sinkhorn divergence, balanced or unbalanced.</summary>
    Sinkhorn,

    /// <summary>Kernel norm ½‖α − β‖²_k with k(x, y) = exp(−|x − y|² / 2σ²), σ = blur.</summary>
    Gaussian,

    /// <summary>Kernel norm ½‖α − β‖²_k with k(x, y) = exp(−|x − y| / σ), σ = blur.</summary>
    Laplacian,

    /// <summary>Energy distance: kernel norm with k(x, y) = −|x − y| (blur unused).</summary>
    Energy,
}
