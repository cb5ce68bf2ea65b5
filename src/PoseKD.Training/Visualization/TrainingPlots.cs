using PoseKD.Geometry.Metrics;
using ScottPlot;

namespace PoseKD.Training.Visualization;

/// <summary>The run's plots, rendered with ScottPlot to PNG: loss curves and accuracy against the ADI threshold.</summary>
public static class TrainingPlots
{
    /// <summary>One line per series (e.g. <c>training/loss_cls</c>) over steps; log-scale y when every value is positive.</summary>
    public static void LossCurves(string path, IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        bool log = series.All(s => s.Points.All(p => p.Value > 0)) && series.Any(s => s.Points.Count > 0);
        foreach (var (name, points) in series)
        {
            if (points.Count == 0) continue;
            var xs = points.Select(p => (double)p.Step).ToArray();
            var ys = points.Select(p => log ? Math.Log10(p.Value) : p.Value).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        plot.XLabel("step");
        plot.YLabel(log ? "log10(loss)" : "loss");
        plot.Title("training losses");
        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// Share of instances whose ADD/ADI error is below t·d for t from 0 to 0.5 (one curve per run), the curve whose
    /// samples at 0.05/0.1/0.2/0.5 are the reference's ADI accuracies. Errors come from Geometry's evaluator.
    /// </summary>
    public static void AccuracyVsThreshold(string path, IReadOnlyList<(string Name, IReadOnlyList<PoseSampleError> Samples)> runs, int width = 700, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(runs);
        var plot = new Plot();
        var ts = Enumerable.Range(0, 101).Select(i => i * 0.005).ToArray();
        foreach (var (name, samples) in runs)
        {
            if (samples.Count == 0) continue;
            var ys = ts.Select(t => 100.0 * samples.Count(s => !s.Missing && s.RelativeError3D < t) / samples.Count).ToArray();
            var line = plot.Add.Scatter(ts, ys);
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        var marker = plot.Add.VerticalLine(0.1);
        marker.LinePattern = LinePattern.Dashed;
        plot.XLabel("threshold (fraction of the object diameter)");
        plot.YLabel("ADI accuracy (%)");
        plot.Axes.SetLimits(0, 0.5, 0, 100);
        plot.Title("accuracy vs threshold");
        plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
    }
}
