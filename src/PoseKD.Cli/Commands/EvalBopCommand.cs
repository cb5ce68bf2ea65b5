using System.CommandLine;
using PoseKD.Geometry.Bop;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd eval-bop --dataset &lt;root&gt; --split &lt;test-dir&gt; --results &lt;csv&gt; [--targets f] [--errors-out f]</c>:
/// BOP19-style evaluation of a results CSV from annotations and meshes only (no images): ADD(-S)@0.1d
/// recall, AR_MSSD and AR_MSPD per object and overall. VSD is not computed.
/// </summary>
public sealed class EvalBopCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var dataset = new Option<string>("--dataset") { Description = "BOP dataset root (models/ or models_eval/, test_targets_bop19.json).", Required = true };
        var split = new Option<string>("--split") { Description = "Split folder with the scenes (e.g. test), relative to the root or absolute.", Required = true };
        var results = new Option<string>("--results") { Description = "Results CSV: scene_id,im_id,obj_id,score,R,t,time.", Required = true };
        var targets = new Option<string?>("--targets") { Description = "Targets file (default: <root>/test_targets_bop19.json if present, else every GT instance)." };
        var errorsOut = new Option<string?>("--errors-out") { Description = "Write the per-estimate errors (ADD, ADI, MSSD, MSPD, re, te) to this CSV." };
        var width = new Option<int?>("--image-width") { Description = "Image width for the MSPD scaling 640/width (default: 'width' of <root>/camera.json, else the first PNG of each scene, else 640)." };
        var invalidAsFailed = new Option<bool>("--invalid-rotations-as-failed") { Description = "Count estimates whose R is not a rotation (|R·Rᵀ − I| > 1e-3 or det ≤ 0) as failed instead of stopping with an error." };
        var models = new Option<string?>("--models-dir") { Description = "Models folder (default: models_eval/ if present, else models/)." };
        var cmd = new Command("eval-bop", "Evaluate a BOP results CSV: ADD(-S)@0.1d, AR_MSSD, AR_MSPD (VSD not computed).");
        foreach (var o in new Option[] { dataset, split, results, targets, errorsOut, width, models, invalidAsFailed }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string root = CliPaths.Folder(parse.GetValue(dataset)!, "dataset", "--dataset");
            string resultsPath = CliPaths.File(parse.GetValue(results)!, "results CSV", "--results");
            if (parse.GetValue(width) is int w && w <= 0) throw new ArgumentException($"--image-width must be > 0 px, got {w}");
            string? errPath = parse.GetValue(errorsOut);
            if (errPath != null)
            {
                CliPaths.Output(errPath, "per-estimate errors CSV", "--errors-out");
                if (CliPaths.Same(errPath, resultsPath)) throw new ArgumentException($"--errors-out {errPath} is the results file itself; refusing to overwrite the input");
            }
            string? targetsPath = parse.GetValue(targets) is { } t ? CliPaths.File(t, "targets JSON", "--targets") : null;
            string? modelsDir = parse.GetValue(models) is { } m ? CliPaths.Folder(m, "models", "--models-dir") : null;
            bool asFailed = parse.GetValue(invalidAsFailed);
            var opts = new BopEvaluationOptions { ImageWidth = parse.GetValue(width), ModelsDir = modelsDir, CountInvalidRotationsAsFailed = asFailed };
            var res = BopResultsCsv.Read(resultsPath, keepInvalidRotations: asFailed);
            if (res.Count == 0) throw new ArgumentException($"--results {resultsPath} holds no estimates (only a header or nothing); nothing to evaluate");
            var eval = BopEvaluator.Evaluate(root, parse.GetValue(split)!, res, targetsPath, opts);
            Console.Write(eval.Format());
            Console.WriteLine($"models: {eval.ModelsDir}");
            if (errPath != null)
            {
                eval.WriteErrorsCsv(errPath);
                Console.WriteLine($"per-estimate errors written to {errPath}");
            }
            return 0;
        });
        return cmd;
    }
}
