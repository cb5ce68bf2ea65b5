using PoseKD.Data.Loading;
using PoseKD.Data.Transforms;
using PoseKD.Engine;
using PoseKD.Model.Network;
using PoseKD.Training.Config;
using PoseKD.Training.Evaluation;

namespace PoseKD.Training.Runs;

/// <summary>
/// <c>posekd test</c>: loads a network, evaluates it on <c>DATASETS.TEST</c> (boxes from the GT pose as the reference,
/// or from a detections file) and writes the outputs of <see cref="EvaluationWriter"/> to the output folder.
/// </summary>
public static class TestRun
{
    /// <summary>
    /// Runs the test; returns the result and the files written. <paramref name="forward"/>, when given, is the network
    /// step (e.g. ONNX Runtime on the file <paramref name="weights"/> names); otherwise the weights load into PoseKD's network.
    /// </summary>
    public static (EvaluationResult Result, IReadOnlyList<string> Files) Execute(string configPath, string? backbone, string weights, string outDir,
        string? detections = null, int? inputRes = null, int? threads = null, int? workers = null, TextWriter? log = null,
        Func<Batch, PoseNetOutput>? forward = null)
    {
        ArgumentNullException.ThrowIfNull(configPath);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(outDir);
        if (!File.Exists(weights)) throw new FileNotFoundException($"--weights: file not found: {weights}", weights);
        if (detections is not null && !File.Exists(detections)) throw new FileNotFoundException($"--detections: file not found: {detections}", detections);
        var cfg = PoseKDConfig.Load(configPath);
        if (cfg.UnknownKeys.Count > 0) log?.WriteLine($"config {configPath}: keys PoseKD does not use (ignored): {string.Join(", ", cfg.UnknownKeys)}");
        string bb = backbone ?? (forward is null ? PoseNetWeights.DetectBackbone(Engine.Serialization.Checkpoint.ReadWeights(weights)) : null) ?? cfg.Model.Backbone;
        cfg = cfg.WithBackbone(bb);
        cfg = cfg with
        {
            Input = cfg.Input with { InputRes = inputRes ?? cfg.Input.InputRes },
            Run = cfg.Run with { Threads = threads ?? cfg.Run.Threads, Workers = workers ?? cfg.Run.Workers },
        };
        cfg.Validate();
        if (cfg.Run.Threads > 0) NativeSettings.Threads = cfg.Run.Threads;
        var loader = TrainRun.TestLoader(cfg, "TEST", detections is null ? null : Detections.Read(detections));
        EvaluationResult result;
        if (forward is null)
        {
            var net = TrainRun.BuildNetwork(cfg);
            var report = PoseNetWeights.Load(net, weights);
            log?.WriteLine($"weights {weights} ({bb}): {report.Matched.Count} keys loaded");
            result = TrainRun.Tester(cfg, loader).Evaluate(net, loader.Epoch(0));
        }
        else
        {
            log?.WriteLine($"network {weights}: run by the given runtime");
            result = TrainRun.Tester(cfg, loader).Evaluate(forward, loader.Epoch(0));
        }
        var files = EvaluationWriter.Write(outDir, result, bb, loader.Builder.Dataset);
        foreach (var p in loader.Problems) log?.WriteLine($"skipped: {p}");
        return (result, files);
    }
}
