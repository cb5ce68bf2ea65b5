using System.Globalization;
using System.Text.Json;
using PoseKD.Geometry.Metrics;
using PoseKD.Training.Visualization;

namespace PoseKD.Bench;

/// <summary>
/// The picture of the synthetic Table A (<c>bench/table_a/run.sh</c>): one ADI accuracy-against-threshold curve per
/// run, read from each run's final validation (<c>runs/NAME/validation/preds.json</c>).
/// <c>./run bench table-a-plot OUT_DIR PNG</c>.
/// </summary>
public static class TableAPlot
{
    /// <summary>The runs in the order of the table, with their legend names.</summary>
    private static readonly (string Run, string Legend)[] Runs =
    [
        ("teacher", "teacher (darknet_tiny)"),
        ("student_s0", "student seed 0"), ("student_s1", "student seed 1"), ("student_s2", "student seed 2"),
        ("kd_s0", "Sinkhorn KD seed 0"), ("kd_s1", "Sinkhorn KD seed 1"),
        ("l2_s0", "l2 KD seed 0"), ("feat_s0", "feature KD seed 0"),
    ];

    /// <summary>Renders the plot of the runs found under <paramref name="outDir"/>; returns the process exit code.</summary>
    public static int Run(string outDir, string png)
    {
        var series = new List<(string Name, IReadOnlyList<PoseSampleError> Samples)>();
        foreach (var (run, legend) in Runs)
        {
            string preds = Path.Combine(outDir, "runs", run, "validation", "preds.json");
            if (!File.Exists(preds)) continue;
            series.Add((legend, Read(preds)));
        }
        if (series.Count == 0)
        {
            Console.Error.WriteLine($"{outDir}: no runs/*/validation/preds.json found (run bench/table_a/run.sh {outDir} first)");
            return 2;
        }
        TrainingPlots.AccuracyVsThreshold(png, series, 900, 560);
        Console.WriteLine($"{series.Count} runs plotted to {png}");
        return 0;
    }

    /// <summary>Per-instance errors of one preds.json: a prediction without a 3D error counts as missing.</summary>
    private static List<PoseSampleError> Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<PoseSampleError>();
        int i = 0;
        foreach (var p in doc.RootElement.EnumerateArray())
        {
            if (!p.TryGetProperty("rel_error_3d", out var rel) || rel.ValueKind != JsonValueKind.Number)
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{path}: prediction {i}: field 'rel_error_3d': expected a number"));
            bool missing = !p.TryGetProperty("error_3d_mm", out var mm) || mm.ValueKind != JsonValueKind.Number;
            list.Add(new PoseSampleError(p.GetProperty("class_id").GetInt32(), 0, missing, rel.GetDouble(), missing ? double.NaN : mm.GetDouble(), 0));
            i++;
        }
        return list;
    }
}
