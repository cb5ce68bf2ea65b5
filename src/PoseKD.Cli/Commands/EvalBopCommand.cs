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
        var width = new Option<int?>("--image-width") { Description = "Image width for the MSPD scaling 640/width (default: read from the first PNG of each scene, else 640)." };
        var models = new Option<string?>("--models-dir") { Description = "Models folder (default: models_eval/ if present, else models/)." };
        var cmd = new Command("eval-bop", "Evaluate a BOP results CSV: ADD(-S)@0.1d, AR_MSSD, AR_MSPD (VSD not computed).");
        foreach (var o in new Option[] { dataset, split, results, targets, errorsOut, width, models }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var opts = new BopEvaluationOptions { ImageWidth = parse.GetValue(width), ModelsDir = parse.GetValue(models) };
            var res = BopResultsCsv.Read(parse.GetValue(results)!);
            var eval = BopEvaluator.Evaluate(parse.GetValue(dataset)!, parse.GetValue(split)!, res, parse.GetValue(targets), opts);
            Console.Write(eval.Format());
            Console.WriteLine($"models: {eval.ModelsDir}");
            if (parse.GetValue(errorsOut) is { } path)
            {
                eval.WriteErrorsCsv(path);
                Console.WriteLine($"per-estimate errors written to {path}");
            }
            return 0;
        });
        return cmd;
    }
}
