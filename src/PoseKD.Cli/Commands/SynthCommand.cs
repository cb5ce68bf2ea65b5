using System.CommandLine;
using System.Globalization;
using PoseKD.Data.Synthesis;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd synth</c>: renders a LINEMOD-format synthetic dataset (BOP layout, lists, 3D boxes, YAML configs)
/// with <see cref="SyntheticDatasetGenerator"/>.
/// </summary>
public sealed class SynthCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var defaults = new SynthOptions { OutputDir = "." };
        var output = new Option<string>("--output", "-o") { Description = "Dataset root to create (must be empty or absent; written in a hidden sibling folder and renamed when complete).", Required = true };
        var objects = new Option<string>("--objects")
        {
            Description = $"Comma-separated built-in objects ({string.Join(", ", BuiltInObjects.Names)}); 'none' for PLY files only.",
            DefaultValueFactory = _ => string.Join(",", BuiltInObjects.Names),
        };
        var ply = new Option<string[]>("--ply") { Description = "A PLY mesh (mm) to render as one more object; repeatable.", AllowMultipleArgumentsPerToken = true };
        var images = new Option<int>("--images", "-n") { Description = "Images per object.", DefaultValueFactory = _ => defaults.ImagesPerObject };
        var width = new Option<int>("--width") { Description = "Image width, px.", DefaultValueFactory = _ => defaults.Width };
        var height = new Option<int>("--height") { Description = "Image height, px.", DefaultValueFactory = _ => defaults.Height };
        var k = new Option<string?>("--K") { Description = "Intrinsics fx,fy,cx,cy (default: LINEMOD's 572.4114,573.57043,325.2611,242.04899)." };
        var train = new Option<double>("--train-fraction") { Description = "Fraction of each object's images in <cls>_train.txt.", DefaultValueFactory = _ => defaults.TrainFraction };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same bytes).", DefaultValueFactory = _ => 0 };
        var minD = new Option<double>("--min-distance") { Description = "Nearest object distance, mm.", DefaultValueFactory = _ => defaults.MinDistanceMm };
        var maxD = new Option<double>("--max-distance") { Description = "Farthest object distance, mm.", DefaultValueFactory = _ => defaults.MaxDistanceMm };
        var inplane = new Option<double>("--in-plane") { Description = "In-plane rotation range ±deg.", DefaultValueFactory = _ => defaults.InPlaneRotationDeg };
        var distractors = new Option<int>("--distractors") { Description = "Most distractor shapes per image.", DefaultValueFactory = _ => defaults.MaxDistractors };
        var occlusion = new Option<double>("--occlusion") { Description = "Probability of a distractor partly occluding the object.", DefaultValueFactory = _ => defaults.OcclusionProbability };
        var backgrounds = new Option<string?>("--backgrounds") { Description = "Folder of PNG/JPEG background images (default: procedural backgrounds)." };
        var noDepth = new Option<bool>("--no-depth") { Description = "Do not write 16-bit depth maps." };
        var threads = new Option<int>("--threads") { Description = "Rendering threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };

        var cmd = new Command("synth", "Render a synthetic LINEMOD-format dataset (BOP layout, train/test lists, linemod_bbox.json, YAML configs).");
        foreach (var o in new Option[] { output, objects, ply, images, width, height, k, train, seed, minD, maxD, inplane, distractors, occlusion, backgrounds, noDepth, threads, quiet })
            cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string objList = parse.GetValue(objects) ?? "";
            var names = objList.Trim() is "" or "none" ? [] : objList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var opts = new SynthOptions
            {
                OutputDir = parse.GetValue(output)!,
                Objects = names,
                PlyFiles = parse.GetValue(ply) ?? [],
                ImagesPerObject = parse.GetValue(images),
                Width = parse.GetValue(width),
                Height = parse.GetValue(height),
                K = ParseK(parse.GetValue(k)),
                TrainFraction = parse.GetValue(train),
                Seed = parse.GetValue(seed),
                MinDistanceMm = parse.GetValue(minD),
                MaxDistanceMm = parse.GetValue(maxD),
                InPlaneRotationDeg = parse.GetValue(inplane),
                MaxDistractors = parse.GetValue(distractors),
                OcclusionProbability = parse.GetValue(occlusion),
                BackgroundDir = parse.GetValue(backgrounds),
                WriteDepth = !parse.GetValue(noDepth),
                Threads = parse.GetValue(threads),
            };
            SyntheticDatasetGenerator.Validate(opts);
            bool q = parse.GetValue(quiet);
            int lastPct = -1;
            var summary = SyntheticDatasetGenerator.Generate(opts, q ? null : (done, total) =>
            {
                int pct = (int)(100L * done / total);
                if (pct / 10 != lastPct / 10 || done == total)
                    lock (opts)
                    {
                        if (pct / 10 == lastPct / 10 && done != total) return;
                        lastPct = pct;
                        Console.WriteLine($"  rendered {done}/{total} images ({pct}%)");
                    }
            });
            Console.WriteLine($"wrote {summary.Images} images ({summary.TrainImages} train) of {summary.Objects.Count} objects to {summary.Root}");
            Console.WriteLine($"  objects: {string.Join(", ", summary.Objects.Select(o => $"{o.ObjId}={o.Name}"))}");
            Console.WriteLine($"  {summary.Bytes / 1e6:F1} MB in {summary.Seconds:F1} s ({summary.ImagesPerSecond:F1} images/s)");
            Console.WriteLine($"  configs: {string.Join(", ", summary.Configs.Select(Path.GetFileName))}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Parses <c>--K</c>: 4 numbers fx,fy,cx,cy or 9 (row-major 3×3); the generator checks the values.</summary>
    internal static double[] ParseK(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (double[])SynthOptions.LinemodK.Clone();
        var parts = text.Split(',');
        var v = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new ArgumentException($"--K: value {i + 1} '{parts[i].Trim()}' is not a number (expected fx,fy,cx,cy or 9 comma-separated numbers, e.g. 572.4114,573.57043,325.2611,242.04899)");
        if (v.Length == 4) return [v[0], 0, v[2], 0, v[1], v[3], 0, 0, 1];
        if (v.Length == 9) return v;
        throw new ArgumentException($"--K needs 4 numbers (fx,fy,cx,cy) or 9 (row-major 3×3), got {v.Length}");
    }
}
