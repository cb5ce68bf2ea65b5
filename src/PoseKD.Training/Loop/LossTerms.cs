using PoseKD.Engine.Tensors;

namespace PoseKD.Training.Loop;

/// <summary>
/// A loss as a named set of weighted terms, so that weighting, logging and the NaN check treat every term alike.
/// Terms with weight 0 are logged but left out of <see cref="Total"/> (as the reference does for <c>kd_weight 0</c>).
/// </summary>
public sealed class LossTerms
{
    private readonly List<LossTerm> _terms = [];

    /// <summary>The terms in insertion order.</summary>
    public IReadOnlyList<LossTerm> Terms => _terms;

    /// <summary>Adds <paramref name="raw"/> · <paramref name="weight"/> as term <paramref name="name"/>.</summary>
    public LossTerms Add(string name, Tensor raw, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Numel != 1) throw new ArgumentException($"loss term '{name}' must be a scalar, got shape {Shapes.Format(raw.Shape)}", nameof(raw));
        if (_terms.Any(t => t.Name == name)) throw new ArgumentException($"loss term '{name}' added twice", nameof(name));
        if (!double.IsFinite(weight) || weight < 0) throw new ArgumentOutOfRangeException(nameof(weight), weight, $"weight of '{name}' must be finite and ≥ 0");
        var weighted = weight == 1 ? raw : raw * (float)weight;
        _terms.Add(new LossTerm(name, weighted, weight, raw));
        return this;
    }

    /// <summary>The term called <paramref name="name"/>, or null.</summary>
    public LossTerm? this[string name] => _terms.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// The first trained term (non-zero weight) whose value is NaN or ±∞, or null when all are finite. A logged-only term
    /// (weight 0) does not stop training: it does not reach the update.
    /// </summary>
    public LossTerm? FirstNonFinite() => _terms.FirstOrDefault(t => t.Weight != 0 && (!double.IsFinite(t.Value) || !double.IsFinite(t.Raw)));

    /// <summary>Σ weighted terms over the terms with a non-zero weight (a scalar tensor to call Backward on).</summary>
    public Tensor Total()
    {
        var active = _terms.Where(t => t.Weight != 0).ToList();
        if (active.Count == 0) throw new InvalidOperationException("no loss term with a non-zero weight: nothing to train");
        var total = active[0].Weighted;
        for (int i = 1; i < active.Count; i++) total = total + active[i].Weighted;
        return total;
    }
}
