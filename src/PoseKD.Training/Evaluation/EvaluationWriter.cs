using System.Globalization;
using System.Text.Json;
using PoseKD.Data.Bop;
using PoseKD.Geometry.Bop;
using PoseKD.Geometry.Metrics;

namespace PoseKD.Training.Evaluation;

/// <summary>
/// Writes a test run to a folder: <c>preds.json</c> (every ground-truth instance with its prediction and errors),
/// <c>posekd_results.csv</c> (BOP results format, <c>posekd eval-bop</c> scores it), <c>accuracy.txt</c> (the
/// per-class and per-depth-bin tables), <c>metrics.json</c> (the same numbers and the timings) and the
/// accuracy-vs-threshold plot and, given the dataset, <c>contact_sheet.png</c> (best, median and worst instance by ADD).
/// </summary>
public static class EvaluationWriter
{
    /// <summary>Name of the BOP results file.</summary>
    public const string BopCsvName = "posekd_results.csv";

    /// <summary>Writes every output of <paramref name="result"/> into <paramref name="dir"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string dir, EvaluationResult result, string title = "PoseKD", BopDataset? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        string preds = Path.Combine(dir, "preds.json");
        File.WriteAllText(preds, JsonSerializer.Serialize(result.Predictions.Select(p => new
        {
            path = p.Path, scene_id = p.SceneId, im_id = p.ImId, class_id = p.ClassId, obj_id = p.ObjId,
            R_gt = p.RGt, t_gt = p.TGt, R = p.R, t = p.T, score = p.Score, inliers = p.Inliers,
            rel_error_3d = p.RelativeError3D, error_3d_mm = double.IsFinite(p.Error3DMm) ? p.Error3DMm : (double?)null,
            error_2d_px = p.Error2DPx, time_s = p.TimeSec,
        }), new JsonSerializerOptions { WriteIndented = false }));
        written.Add(preds);

        string csv = Path.Combine(dir, BopCsvName);
        BopResultsCsv.Write(csv, result.Predictions.Where(p => p.R is not null && p.T is not null)
            .Select(p => new BopResult(p.SceneId, p.ImId, p.ObjId, p.Score, p.R!, p.T!, p.TimeSec)));
        written.Add(csv);

        string table = Path.Combine(dir, "accuracy.txt");
        File.WriteAllText(table, Describe(result));
        written.Add(table);

        string metrics = Path.Combine(dir, "metrics.json");
        File.WriteAllText(metrics, JsonSerializer.Serialize(Summary(result), new JsonSerializerOptions { WriteIndented = true }));
        written.Add(metrics);

        string plot = Path.Combine(dir, "accuracy_vs_threshold.png");
        Visualization.TrainingPlots.AccuracyVsThreshold(plot, [(title, result.Report.Samples)]);
        written.Add(plot);
        if (dataset?.Keypoints is not null && result.Predictions.Count > 0)
        {
            string sheet = Path.Combine(dir, "contact_sheet.png");
            Visualization.ContactSheet.Write(sheet, result.Predictions, dataset, dataset.Keypoints);
            written.Add(sheet);
        }
        return written;
    }

    /// <summary>The accuracy tables and timings as text.</summary>
    public static string Describe(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = result.Timings;
        var ci = CultureInfo.InvariantCulture;
        return result.Report.Format()
            + string.Create(ci, $"mean ADI-0.1d over classes: {result.Adi01:F2} %\n")
            + string.Create(ci, $"timings per image ({t.Images} images): network {t.NetworkMs:F1} ms, post-processing incl. PnP {t.PostProcessMs:F1} ms, data wait {t.DataWaitMs:F1} ms\n");
    }

    /// <summary>The report as a JSON-ready object.</summary>
    public static object Summary(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var r = result.Report;
        object Row(AccuracyRow row) => new
        {
            label = row.Label, count = row.Count,
            adi = r.AdiThresholds.Select((th, i) => KeyValuePair.Create(th.ToString("0.00", CultureInfo.InvariantCulture), Finite(row.Adi[i]))).ToDictionary(),
            rep = r.RepThresholdsPx.Select((th, i) => KeyValuePair.Create(th.ToString("0", CultureInfo.InvariantCulture) + "px", Finite(row.Rep[i]))).ToDictionary(),
            auc = Finite(row.Auc),
        };
        return new
        {
            adi_01_mean = Finite(result.Adi01),
            classes = r.Classes.Select(Row).ToList(),
            depth_bins = r.DepthBins.Select(Row).ToList(),
            depth_range_mm = new[] { r.DepthRangeMm.Min, r.DepthRangeMm.Max },
            timings_ms_per_image = new { network = result.Timings.NetworkMs, post_processing = result.Timings.PostProcessMs, data_wait = result.Timings.DataWaitMs, images = result.Timings.Images },
        };
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Scalars of a validation for the event store: <c>ADI/&lt;class&gt;/0.10</c>, <c>REP/&lt;class&gt;/05px</c>, <c>AUC/&lt;class&gt;</c>, and <c>…/all_class/…</c> means.</summary>
    public static List<KeyValuePair<string, double>> Scalars(EvaluationResult result, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(result);
        var r = result.Report;
        var ci = CultureInfo.InvariantCulture;
        var list = new List<KeyValuePair<string, double>>();
        foreach (var row in r.Classes)
        {
            for (int i = 0; i < r.AdiThresholds.Count; i++) list.Add(new($"{prefix}ADI/{row.Label}/{r.AdiThresholds[i].ToString("0.00", ci)}", row.Adi[i]));
            for (int i = 0; i < r.RepThresholdsPx.Count; i++) list.Add(new($"{prefix}REP/{row.Label}/{r.RepThresholdsPx[i].ToString("00", ci)}px", row.Rep[i]));
            list.Add(new($"{prefix}AUC/{row.Label}", row.Auc));
        }
        if (r.Classes.Count > 0)
        {
            for (int i = 0; i < r.AdiThresholds.Count; i++) list.Add(new($"{prefix}ADI/all_class/{r.AdiThresholds[i].ToString("0.00", ci)}", r.Classes.Average(c => c.Adi[i])));
            for (int i = 0; i < r.RepThresholdsPx.Count; i++) list.Add(new($"{prefix}REP/all_class/{r.RepThresholdsPx[i].ToString("00", ci)}px", r.Classes.Average(c => c.Rep[i])));
        }
        return list;
    }
}
