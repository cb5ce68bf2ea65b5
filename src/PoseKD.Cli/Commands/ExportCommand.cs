using System.CommandLine;
using PoseKD.Inference.Configuration;
using PoseKD.Inference.Onnx;
using PoseKD.Model.Network;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd export --config Y [--backbone B] --weights W --onnx OUT.onnx [--batch N | --dynamic-batch] [--opset 17]</c>:
/// builds the network the config describes, loads the weights (PoseKD checkpoint, safetensors or PyTorch
/// <c>.pth</c>; every key must match) and writes it as ONNX (BatchNorm folded; outputs <c>cls_k</c>/<c>reg_k</c>
/// per level; metadata with anchors, strides, classes, crop size, normalisation, internal camera and — when the
/// config's BBOX_FILE exists — the 3D keypoints, so that the file alone is enough to estimate poses).
/// </summary>
public sealed class ExportCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "YAML config (e.g. configs/ape.yaml): MODEL, DATASETS.N_CLASS/BBOX_FILE/SYMMETRY_TYPES, INPUT, TEST.", Required = true };
        var backbone = new Option<string?>("--backbone", "-b") { Description = $"Backbone, overriding MODEL.BACKBONE ({string.Join(", ", BackboneInfo.Names)})." };
        var weights = new Option<string>("--weights", "-w") { Description = "Network weights: a PoseKD checkpoint or safetensors file, or a PyTorch .pth state dict.", Required = true };
        var onnx = new Option<string>("--onnx", "-o") { Description = "Output .onnx file.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Fixed batch size of the model's input.", DefaultValueFactory = _ => 1 };
        var dynamic = new Option<bool>("--dynamic-batch") { Description = "Symbolic batch dimension (any batch size runs); excludes --batch." };
        var opset = new Option<int>("--opset") { Description = "ONNX opset, 13–18 (18 writes GroupNormalization; 17 decomposes it and is what ONNX 1.12 checks).", DefaultValueFactory = _ => OnnxExportOptions.DefaultOpset };
        var cmd = new Command("export", "Export a trained network to ONNX for ONNX Runtime (and PoseEstimator).");
        foreach (var o in new Option[] { config, backbone, weights, onnx, batch, dynamic, opset }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var result = parse.GetResult(batch);
            if (parse.GetValue(dynamic) && result is { Implicit: false })
                throw new ArgumentException("--batch and --dynamic-batch exclude each other");
            var summary = Run(parse.GetValue(config)!, parse.GetValue(backbone), parse.GetValue(weights)!, parse.GetValue(onnx)!,
                new OnnxExportOptions { BatchSize = parse.GetValue(batch), DynamicBatch = parse.GetValue(dynamic), Opset = parse.GetValue(opset) });
            Console.WriteLine(summary);
            return 0;
        });
        return cmd;
    }

    /// <summary>Exports and returns a one-line summary.</summary>
    public static string Run(string configPath, string? backbone, string weightsPath, string onnxPath, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var cfg = DeploymentConfig.Read(configPath, backbone);
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"weights not found: {weightsPath}", weightsPath);
        var net = new PoseNet(cfg.Network);
        PoseNetWeights.Load(net, weightsPath, strict: true);
        long bytes = OnnxExporter.SavePoseNet(net, cfg.Metadata, onnxPath, options);
        string kp = cfg.Metadata.Keypoints3d.Count > 0 ? $"keypoints of {cfg.Metadata.Keypoints3d.Count} classes" : "no keypoints (BBOX_FILE not found)";
        return $"wrote {onnxPath} ({bytes / 1e6:F1} MB): {cfg.Network.Backbone}, {cfg.Network.LevelCount} levels, {cfg.Network.NClass - 1} classes, " +
               $"input [{(options.DynamicBatch ? "batch" : options.BatchSize)}, 3, {cfg.Metadata.InputRes}, {cfg.Metadata.InputRes}], opset {options.Opset}, {kp}";
    }
}
