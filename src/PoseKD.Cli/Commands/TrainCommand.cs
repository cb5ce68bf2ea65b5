using System.CommandLine;
using System.Globalization;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Runs;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd train</c>: trains a network (a teacher or any backbone) or, with <c>--teacher-weights</c>, distills a
/// teacher into a student (the reference's <c>train_kd.py</c> flags, in .NET style). The same command in the same
/// work directory resumes from its <c>latest</c> checkpoint.
/// </summary>
public sealed class TrainCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var config = new Option<string>("--config") { Description = "YAML config (the reference's configs/ape.yaml format).", Required = true };
        var backbone = new Option<string?>("--backbone") { Description = "darknet53, darknet_tiny or darknet_tiny_h (default: the config's MODEL.BACKBONE)." };
        var weights = new Option<string?>("--weights") { Description = "Initial weights (.safetensors/.pth) or the reference's training checkpoint (continued with its optimizer and schedule)." };
        var backboneWeights = new Option<string?>("--backbone-weights") { Description = "ImageNet backbone weights (.pth, pytorchcv layout) loaded into backbone.*." };
        var maxIters = new Option<int?>("--max-iters") { Description = "Training steps (SOLVER.MAX_ITER)." };
        var baseLr = new Option<double?>("--base-lr") { Description = "Peak learning rate of the one-cycle schedule (SOLVER.BASE_LR)." };
        var batch = new Option<int?>("--batch-size") { Description = "Images per step (SOLVER.IMS_PER_BATCH)." };
        var valFreq = new Option<int?>("--val-freq") { Description = "Validate and write latest every N steps (SOLVER.VAL_FREQ)." };
        var inputRes = new Option<int?>("--input-res") { Description = "DZI crop size, multiple of 32 (INPUT.INPUT_RES, 256)." };
        var workDir = new Option<string>("--work-dir") { Description = "Output folder; an existing latest checkpoint there is resumed.", DefaultValueFactory = _ => "./outputs" };
        var threads = new Option<int?>("--threads") { Description = "Compute threads (default: all cores)." };
        var workers = new Option<int?>("--workers") { Description = "Background data-loading threads (POSEKD.WORKERS)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of weights, sampling and data order (POSEKD.SEED)." };
        var logFreq = new Option<int?>("--log-freq") { Description = "Steps between metrics.jsonl/TensorBoard records (POSEKD.LOG_FREQ, 10)." };
        var teacherConfig = new Option<string?>("--teacher-config") { Description = "Teacher's YAML (default: --config)." };
        var teacherBackbone = new Option<string?>("--teacher-backbone") { Description = "Teacher's backbone (default darknet53)." };
        var teacherWeights = new Option<string?>("--teacher-weights") { Description = "Trained teacher weights; distills into the student." };
        var kdWeight = new Option<double?>("--kd-weight") { Description = "Weight of loss_kd (5; 0 = student baseline)." };
        var gtype = new Option<string?>("--gtype") { Description = "KD loss: sinkhorn, gaussian, laplacian, energy, l1, l2." };
        var p = new Option<double?>("--p") { Description = "Exponent of the OT cost |x-y|^p/p (2)." };
        var blur = new Option<double?>("--blur") { Description = "OT blur (0.001)." };
        var scaling = new Option<double?>("--scaling") { Description = "Sinkhorn epsilon-scaling (0.5)." };
        var reach = new Option<double?>("--reach") { Description = "Unbalanced OT reach (0.5)." };
        var weightedOt = new Option<bool?>("--weighted-ot") { Description = "Weight points by class scores (true)." };
        var wotDetach = new Option<bool?>("--wot-detach") { Description = "Detach the student's score weights (false)." };
        var featureKd = new Option<double?>("--feature-kd-weight") { Description = "Weight of FPN feature imitation (0 = off)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };
        var cmd = new Command("train", "Train a pose network, or distill a teacher into a student (--teacher-weights). Resumes from WORK_DIR/latest.safetensors.");
        foreach (var o in new Option[] { config, backbone, weights, backboneWeights, maxIters, baseLr, batch, valFreq, inputRes, workDir, threads, workers, seed, logFreq,
                     teacherConfig, teacherBackbone, teacherWeights, kdWeight, gtype, p, blur, scaling, reach, weightedOt, wotDetach, featureKd, quiet })
            cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var options = new TrainRunOptions
            {
                Config = parse.GetValue(config)!, Backbone = parse.GetValue(backbone), Weights = parse.GetValue(weights),
                BackboneWeights = parse.GetValue(backboneWeights), MaxIters = parse.GetValue(maxIters), BaseLr = parse.GetValue(baseLr),
                BatchSize = parse.GetValue(batch), ValFreq = parse.GetValue(valFreq), InputRes = parse.GetValue(inputRes),
                WorkDir = parse.GetValue(workDir)!, Threads = parse.GetValue(threads), Workers = parse.GetValue(workers), Seed = parse.GetValue(seed),
                LogFreq = parse.GetValue(logFreq),
                TeacherConfig = parse.GetValue(teacherConfig), TeacherBackbone = parse.GetValue(teacherBackbone), TeacherWeights = parse.GetValue(teacherWeights),
                KdWeight = parse.GetValue(kdWeight), GType = parse.GetValue(gtype), P = parse.GetValue(p), Blur = parse.GetValue(blur),
                Scaling = parse.GetValue(scaling), Reach = parse.GetValue(reach), WeightedOt = parse.GetValue(weightedOt), WotDetach = parse.GetValue(wotDetach),
                FeatureKdWeight = parse.GetValue(featureKd), Quiet = parse.GetValue(quiet),
            };
            return Run(options, Console.Out);
        });
        return cmd;
    }

    /// <summary>Runs training with Ctrl-C handling (writes latest, exits 130) and prints the summary.</summary>
    internal static int Run(TrainRunOptions options, TextWriter output)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var s = TrainRun.Execute(options, output, cts.Token);
            var inv = CultureInfo.InvariantCulture;
            if (s.Teacher is not null) output.WriteLine(string.Create(inv, $"teacher ADI-0.1d: {s.Teacher.Adi01:F2} %"));
            if (s.Validation is not null) output.WriteLine("final validation:\n" + EvaluationWriter.Describe(s.Validation));
            output.WriteLine(string.Create(inv, $"{s.Outcome.ToString().ToLowerInvariant()} at step {s.Steps}; {s.ImagesPerSecond:F2} images/s, data wait {100 * s.DataWaitShare:F1} % of step time"));
            foreach (var f in s.Files) output.WriteLine($"  {f}");
            return s.Outcome == Training.Loop.TrainOutcome.Interrupted ? 130 : 0;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
