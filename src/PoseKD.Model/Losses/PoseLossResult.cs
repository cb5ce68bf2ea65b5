using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;

namespace PoseKD.Model.Losses;

/// <summary>
/// The head losses of one batch: named weighted terms (<c>loss_cls</c>, <c>loss_reg</c>), their sum, and each
/// image's student local predictions at its positives (for distillation).
/// </summary>
public sealed class PoseLossResult
{
    /// <summary>Weighted terms by name, in order <c>loss_cls</c>, <c>loss_reg</c> (scalars on the graph).</summary>
    public required IReadOnlyDictionary<string, Tensor> Terms { get; init; }

    /// <summary>Sum of <see cref="Terms"/>.</summary>
    public required Tensor Total { get; init; }

    /// <summary>Focal loss before weighting.</summary>
    public required Tensor ClsLoss { get; init; }

    /// <summary>Regression loss before weighting.</summary>
    public required Tensor RegLoss { get; init; }

    /// <summary>
    /// Per image: decoded keypoints [n, 8, 2] at its positives in internal-image pixels, weights = sigmoid of the
    /// positive's class logit [n] (unclamped), attached to the graph; empty ([0, 8, 2]) for an image without positives.
    /// </summary>
    public required IReadOnlyList<LocalPredictions> Student { get; init; }

    /// <summary>Positives in the batch.</summary>
    public required int PositiveCount { get; init; }
}
