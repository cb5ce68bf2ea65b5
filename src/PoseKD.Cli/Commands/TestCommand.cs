using System.CommandLine;
using PoseKD.Inference.Runtime;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Runs;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd test</c>: evaluates trained weights on the config's TEST list — the reference's accuracy table and
/// per-depth-bin table, preds.json, a BOP results CSV (for <c>posekd eval-bop</c>), timings and an accuracy plot.
/// </summary>
public sealed class TestCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var config = new Option<string>("--config") { Description = "YAML config (DATASETS.TEST is evaluated).", Required = true };
        var backbone = new Option<string?>("--backbone") { Description = "Backbone of the weights (default: detected from the weights, else the config's)." };
        var weights = new Option<string>("--weights") { Description = "Weights (.safetensors or .pth, PoseKD's or the reference's).", Required = true };
        var detections = new Option<string?>("--detections") { Description = "Detections JSON (boxes per image); default: boxes of the GT pose, as the reference." };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "./test_out" };
        var inputRes = new Option<int?>("--input-res") { Description = "DZI crop size (must match training)." };
        var threads = new Option<int?>("--threads") { Description = "Compute threads." };
        var workers = new Option<int?>("--workers") { Description = "Data-loading threads." };
        var runtime = new Option<string>("--runtime") { Description = "engine (PoseKD's network on --weights) | onnx (ONNX Runtime on the .onnx file --weights names, from posekd export).", DefaultValueFactory = _ => "engine" };
        runtime.AcceptOnlyFromAmong("engine", "onnx");
        var cmd = new Command("test", "Evaluate trained weights: ADI/AUC/REP per class and per depth bin, preds.json, BOP CSV, timings.");
        foreach (var o in new Option[] { config, backbone, weights, detections, output, inputRes, threads, workers, runtime }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            using var onnx = parse.GetValue(runtime) == "onnx" ? OnnxNetworkRunner.Open(parse.GetValue(weights)!, parse.GetValue(threads) ?? 0) : null;
            var (result, files) = TestRun.Execute(parse.GetValue(config)!, parse.GetValue(backbone), parse.GetValue(weights)!, parse.GetValue(output)!,
                parse.GetValue(detections), onnx?.InputRes ?? parse.GetValue(inputRes), parse.GetValue(threads), parse.GetValue(workers), Console.Out,
                onnx is null ? null : b => BatchedRunner.Run(onnx, b.Images));
            Console.Out.WriteLine(EvaluationWriter.Describe(result));
            foreach (var f in files) Console.Out.WriteLine($"  {f}");
            return 0;
        });
        return cmd;
    }
}
