namespace PoseKD.Geometry.Metrics;

/// <summary>
/// Accuracies (percent) of one class or one depth bin: ADI[k] = 100·#(e3D/d &lt; τ_k)/N,
/// REP[k] = 100·#(e2D &lt; p_k)/N, AUC = 100·Σ_b #(e3D ≤ (b+1)·max/B)/(N·B) (only for classes).
/// </summary>
/// <param name="Label">Class id ("cls_3") or depth bin ("depth 600-800 mm").</param>
/// <param name="Count">Number of ground-truth instances N.</param>
/// <param name="Adi">Accuracies at the ADI thresholds, percent.</param>
/// <param name="Rep">Accuracies at the REP thresholds, percent.</param>
/// <param name="Auc">AUC of the absolute 3D error, percent (NaN for depth bins).</param>
public sealed record AccuracyRow(string Label, int Count, double[] Adi, double[] Rep, double Auc);
