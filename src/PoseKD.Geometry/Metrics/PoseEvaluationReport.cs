using System.Globalization;
using System.Text;

namespace PoseKD.Geometry.Metrics;

/// <summary>The reference's accuracy tables: per class and per depth bin, with the thresholds used.</summary>
public sealed class PoseEvaluationReport
{
    /// <summary>ADI thresholds (fractions of d).</summary>
    public required IReadOnlyList<double> AdiThresholds { get; init; }

    /// <summary>REP thresholds (pixels).</summary>
    public required IReadOnlyList<double> RepThresholdsPx { get; init; }

    /// <summary>One row per class that had ground truth, in class order.</summary>
    public required IReadOnlyList<AccuracyRow> Classes { get; init; }

    /// <summary>One row per depth bin (empty bins have Count 0 and NaN accuracies).</summary>
    public required IReadOnlyList<AccuracyRow> DepthBins { get; init; }

    /// <summary>Smallest ground-truth depth and largest (+1e-5), mm.</summary>
    public required (double Min, double Max) DepthRangeMm { get; init; }

    /// <summary>Every per-instance error.</summary>
    public required IReadOnlyList<PoseSampleError> Samples { get; init; }

    /// <summary>Mean over classes of ADI at the threshold closest to 0.1·d (the headline number), percent.</summary>
    public double MeanAdi01 => Classes.Count == 0 ? double.NaN : Classes.Average(c => c.Adi[IndexOf01()]);

    private int IndexOf01()
    {
        int best = 0;
        for (int i = 1; i < AdiThresholds.Count; i++)
            if (Math.Abs(AdiThresholds[i] - 0.1) < Math.Abs(AdiThresholds[best] - 0.1)) best = i;
        return best;
    }

    /// <summary>Plain-text table: one line per class, then one per depth bin.</summary>
    public string Format()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string head = string.Join(" ", AdiThresholds.Select(t => ("ADI" + t.ToString("0.00", ci).TrimStart('0') + "d").PadLeft(9)))
            + "      AUC " + string.Join(" ", RepThresholdsPx.Select(t => ("REP" + t.ToString("00", ci) + "px").PadLeft(8)));
        sb.Append("class          n ").AppendLine(head);
        foreach (var row in Classes) AppendRow(sb, row, ci);
        foreach (var row in DepthBins) AppendRow(sb, row, ci);
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, AccuracyRow row, CultureInfo ci)
    {
        sb.Append(row.Label.PadRight(12)).Append(row.Count.ToString(ci).PadLeft(5)).Append(' ');
        sb.Append(string.Join(" ", row.Adi.Select(a => a.ToString("F2", ci).PadLeft(9))));
        sb.Append(' ').Append((double.IsNaN(row.Auc) ? "" : row.Auc.ToString("F2", ci)).PadLeft(8)).Append(' ');
        sb.AppendLine(string.Join(" ", row.Rep.Select(a => a.ToString("F2", ci).PadLeft(8))));
    }
}
