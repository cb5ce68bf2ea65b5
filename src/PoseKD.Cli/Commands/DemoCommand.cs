using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PoseKD.Data.Synthesis;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Events;
using PoseKD.Training.Runs;
using PoseKD.Training.Visualization;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd demo</c> (<c>./run demo</c>): the whole pipeline from nothing, at smoke-test size — a small synthetic
/// LINEMOD-format dataset, a teacher (darknet_tiny), a student (darknet_tiny_h, <c>kd-weight 0</c>) and a distilled
/// student (<c>kd-weight 5</c>, Sinkhorn) trained briefly on small crops, evaluation of all three, a table in the
/// shape of the reference's Table A and the paths of the pictures. The numbers of so short a run are a smoke test,
/// not results; <c>docs/results.md</c> describes the benchmark that measures them.
/// </summary>
public sealed class DemoCommand : IVerb
{
    /// <summary>Settings of a demo run.</summary>
    internal sealed record Settings(string OutDir, int Steps, int Images, int InputRes, int Batch, int Seed, int Threads, ConsoleMode Mode);

    /// <summary>One row of the demo table.</summary>
    internal sealed record Row(string Name, string Backbone, double KdWeight, EvaluationResult Result, double ImagesPerSecond, double Seconds);

    /// <inheritdoc />
    public Command Build()
    {
        var output = new Option<string>("--out") { Description = "Folder for the dataset and the runs.", DefaultValueFactory = _ => "./demo_out" };
        var steps = new Option<int>("--steps") { Description = "Training steps per network.", DefaultValueFactory = _ => 100 };
        var images = new Option<int>("--images") { Description = "Synthetic images (half for training).", DefaultValueFactory = _ => 60 };
        var inputRes = new Option<int>("--input-res") { Description = "DZI crop size (the reference uses 256).", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of data and training.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Compute threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bars." };
        var cmd = new Command("demo", "Smoke test of the whole pipeline: synthetic data → teacher → student → distilled student → evaluation (small and short; not a benchmark).");
        foreach (var o in new Option[] { output, steps, images, inputRes, batch, seed, threads, quiet }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var s = new Settings(parse.GetValue(output)!, parse.GetValue(steps), parse.GetValue(images), parse.GetValue(inputRes),
                parse.GetValue(batch), parse.GetValue(seed), parse.GetValue(threads), ConsoleProgressWriter.DetectMode(parse.GetValue(quiet)));
            Run(s, Console.Out);
            return 0;
        });
        return cmd;
    }

    /// <summary>Runs the demo and prints the table; returns the three rows (teacher, student, distilled).</summary>
    internal static IReadOnlyList<Row> Run(Settings s, TextWriter output)
    {
        if (s.Steps < 1) throw new ArgumentOutOfRangeException(nameof(s), s.Steps, "--steps must be ≥ 1");
        if (s.Images < 4) throw new ArgumentOutOfRangeException(nameof(s), s.Images, "--images must be ≥ 4");
        var inv = CultureInfo.InvariantCulture;
        var total = Stopwatch.StartNew();
        string root = Path.GetFullPath(s.OutDir);
        string data = Path.Combine(root, "data");
        output.WriteLine("PoseKD demo — a SMOKE TEST of the whole pipeline at toy size (tiny data, small crops, few steps).");
        output.WriteLine("Its accuracies say that the pipeline runs end to end, not how well the method works; see docs/results.md for the benchmark.");

        string config;
        if (Directory.Exists(data) && Directory.GetFiles(data, "*.yaml").Length > 0)
        {
            config = Directory.GetFiles(data, "*.yaml").Order(StringComparer.Ordinal).First();
            output.WriteLine($"[1/5] synthetic dataset: reusing {data}");
        }
        else
        {
            output.WriteLine($"[1/5] synthetic dataset: {s.Images} images of one object (320×240) → {data}");
            var summary = SyntheticDatasetGenerator.Generate(new SynthOptions
            {
                OutputDir = data, Objects = ["lblock"], ImagesPerObject = s.Images, Width = 320, Height = 240,
                K = [572.4114 / 2, 0, 325.2611 / 2, 0, 573.57043 / 2, 242.04899 / 2, 0, 0, 1],
                MinDistanceMm = 350, MaxDistanceMm = 550, TrainFraction = 0.5, Seed = s.Seed, WriteDepth = false,
                Threads = Math.Max(1, s.Threads > 0 ? s.Threads : Environment.ProcessorCount),
            });
            config = summary.Configs[0];
        }

        TrainRunOptions Options(string name, string backbone) => new()
        {
            Config = config, Backbone = backbone, WorkDir = Path.Combine(root, name), MaxIters = s.Steps, BatchSize = s.Batch,
            InputRes = s.InputRes, Seed = s.Seed, ValFreq = Math.Max(1, s.Steps), Threads = s.Threads > 0 ? s.Threads : null,
            ConsoleMode = s.Mode, LogFreq = Math.Max(1, s.Steps / 20),
        };
        var rows = new List<Row>();
        Row Train(string step, string name, TrainRunOptions o)
        {
            output.WriteLine($"[{step}] {name}: {o.Backbone}, {s.Steps} steps, batch {s.Batch}, {s.InputRes} px crops" + (o.TeacherWeights is null ? "" : $", kd-weight {o.KdWeight?.ToString(inv) ?? "5"} (sinkhorn)"));
            var r = TrainRun.Execute(o, TextWriter.Null);
            var row = new Row(name, o.Backbone!, o.KdWeight ?? 0, r.Validation!, r.ImagesPerSecond, r.TrainSeconds);
            output.WriteLine(string.Create(inv, $"      ADI-0.1d {row.Result.Adi01:F1} %, {r.ImagesPerSecond:F1} images/s, data wait {100 * r.DataWaitShare:F1} %, {r.TrainSeconds:F0} s"));
            rows.Add(row);
            return row;
        }
        Train("2/5", "teacher", Options("teacher", "darknet_tiny"));
        string teacherWeights = Path.Combine(root, "teacher", "final.safetensors");
        Train("3/5", "student", Options("student", "darknet_tiny_h") with { KdWeight = 0 });
        Train("4/5", "distilled", Options("distilled", "darknet_tiny_h") with { TeacherWeights = teacherWeights, TeacherBackbone = "darknet_tiny", KdWeight = 5 });

        output.WriteLine("[5/5] evaluation on the held-out split (boxes from the GT pose, as the reference):");
        string plot = Path.Combine(root, "accuracy_vs_threshold.png");
        TrainingPlots.AccuracyVsThreshold(plot, rows.Select(r => (r.Name, r.Result.Report.Samples)).ToList());
        output.WriteLine();
        output.WriteLine(FormatTable(rows));
        double gap = rows[0].Result.Adi01 - rows[1].Result.Adi01;
        if (Math.Abs(gap) > 1e-9)
            output.WriteLine(string.Create(inv, $"share of the teacher–student gap closed by distillation: {100 * (rows[2].Result.Adi01 - rows[1].Result.Adi01) / gap:F0} % (smoke-test numbers)"));
        output.WriteLine("pictures:");
        output.WriteLine($"  {plot}");
        foreach (var r in rows)
        {
            output.WriteLine($"  {Path.Combine(root, r.Name, "loss_curves.png")}");
            output.WriteLine($"  {Path.Combine(root, r.Name, "validation", "accuracy_vs_threshold.png")}");
            output.WriteLine($"  {Path.Combine(root, r.Name, "validation", "contact_sheet.png")}");
        }
        string kd = Path.Combine(root, "distilled", "kd_pictures");
        if (Directory.Exists(kd)) output.WriteLine($"  {kd}/ (teacher vs student keypoint clouds)");
        output.WriteLine(string.Create(inv, $"total {total.Elapsed.TotalMinutes:F1} min. For real numbers: docs/results.md (synthetic Table A benchmark)."));
        return rows;
    }

    /// <summary>The reference's Table A shape: method, backbone, ADI at 0.05/0.1/0.2/0.5·d, AUC, REP 5 px.</summary>
    internal static string FormatTable(IReadOnlyList<Row> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| method | backbone | kd | ADI-0.05d | ADI-0.1d | ADI-0.2d | ADI-0.5d | AUC | REP-5px | images/s |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
        {
            var rep = r.Result.Report;
            double Adi(int i) => rep.Classes.Count == 0 ? double.NaN : rep.Classes.Average(c => c.Adi[i]);
            double auc = rep.Classes.Count == 0 ? double.NaN : rep.Classes.Average(c => c.Auc);
            int rep5 = rep.RepThresholdsPx.ToList().IndexOf(5);
            double r5 = rep.Classes.Count == 0 || rep5 < 0 ? double.NaN : rep.Classes.Average(c => c.Rep[rep5]);
            sb.AppendLine(string.Create(inv, $"| {r.Name} | {r.Backbone} | {r.KdWeight:0.#} | {Adi(0):F1} | {Adi(1):F1} | {Adi(2):F1} | {Adi(3):F1} | {auc:F1} | {r5:F1} | {r.ImagesPerSecond:F1} |"));
        }
        return sb.ToString();
    }
}
