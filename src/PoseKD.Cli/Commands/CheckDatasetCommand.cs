using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PoseKD.Data.Bop;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd check-dataset</c>: loads every sample of a list file or BOP split folder and prints counts per
/// class, image sizes, visible-fraction statistics and every problem found. Exit code 0 when clean, 2 when a
/// sample could not be used.
/// </summary>
public sealed class CheckDatasetCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var root = new Option<string>("--root") { Description = "Dataset root (holds models/ and linemod_bbox.json).", Required = true };
        var list = new Option<string?>("--list") { Description = "Image list file (e.g. 000001_test.txt; relative to --root unless absolute)." };
        var split = new Option<string?>("--split") { Description = "BOP split folder (e.g. test; relative to --root unless absolute)." };
        var targets = new Option<string?>("--targets") { Description = "test_targets_bop19.json restricting --split." };
        var models = new Option<string?>("--models") { Description = "Models folder (default <root>/models)." };
        var bbox = new Option<string?>("--bbox") { Description = "3D box file (default <root>/linemod_bbox.json when present)." };
        var width = new Option<int?>("--width") { Description = "Expected image width (default: any)." };
        var height = new Option<int?>("--height") { Description = "Expected image height (default: any)." };
        var maxProblems = new Option<int>("--max-problems") { Description = "Problems printed at most (all are counted).", DefaultValueFactory = _ => 50 };
        var cmd = new Command("check-dataset", "Load every sample of a LINEMOD/BOP dataset and report counts, sizes, visibility and problems.");
        foreach (var o in new Option[] { root, list, split, targets, models, bbox, width, height, maxProblems }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string r = CliPaths.Folder(parse.GetValue(root)!, "dataset root", "--root");
            string? l = parse.GetValue(list), s = parse.GetValue(split);
            if ((l == null) == (s == null)) throw new ArgumentException("give exactly one of --list <file> or --split <dir>");
            if (l != null && parse.GetValue(targets) != null) throw new ArgumentException("--targets restricts a --split; it cannot be combined with --list (the list already names the images)");
            int? w = parse.GetValue(width), h = parse.GetValue(height);
            if ((w == null) != (h == null)) throw new ArgumentException("give --width and --height together (the expected image size), or neither");
            if (w is <= 0 || h is <= 0) throw new ArgumentException($"--width and --height must be > 0 px, got {w}×{h}");
            int maxP = parse.GetValue(maxProblems);
            if (maxP < 0) throw new ArgumentException($"--max-problems must be ≥ 0, got {maxP}");
            string Resolve(string p) => Path.IsPathRooted(p) ? p : Path.Combine(r, p);
            string modelsDir = CliPaths.Folder(Resolve(parse.GetValue(models) ?? "models"), "models", "--models");
            string? box = parse.GetValue(bbox) is { } b ? CliPaths.File(Resolve(b), "3D box JSON", "--bbox") : File.Exists(Path.Combine(r, "linemod_bbox.json")) ? Path.Combine(r, "linemod_bbox.json") : null;
            var ds = l != null
                ? BopDataset.FromListFile(CliPaths.File(Resolve(l), "image list", "--list"), modelsDir, box)
                : BopDataset.FromSplitFolder(CliPaths.Folder(Resolve(s!), "split", "--split"), modelsDir, box, parse.GetValue(targets) is { } t ? CliPaths.File(Resolve(t), "targets JSON", "--targets") : null);
            if (ds.Count == 0) throw new ArgumentException($"the image list {Resolve(l!)} names no images");
            ds = w != null && h != null ? new BopDataset(ds.ImagePaths, ds.Models, ds.Keypoints) { ExpectedSize = (w.Value, h.Value) } : ds;
            return Check(ds, box, maxP, Console.Out);
        });
        return cmd;
    }

    internal static int Check(BopDataset ds, string? boxFile, int maxProblems, TextWriter o)
    {
        var perClass = new int[ds.Models.Count];
        var sizes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var visPx = new List<int>();
        var visFract = new List<double>();
        var problems = new List<string>();
        var infoCache = new Dictionary<string, JsonElement?>();
        if (boxFile != null && ds.Keypoints != null) problems.AddRange(CompareBoxes(ds, boxFile));
        int ok = 0, failed = 0, skippedInstances = 0, tiny = 0, empty = 0;
        for (int i = 0; i < ds.Count; i++)
        {
            if (!ds.TryLoad(i, out var sample, out var image, out var problem))
            {
                problems.Add(problem!);
                failed++;
                continue;
            }
            ok++;
            string size = $"{image!.Width}x{image.Height}";
            sizes[size] = sizes.GetValueOrDefault(size) + 1;
            skippedInstances += sample!.SkippedInstances;
            if (sample.Instances.Count == 0) empty++;
            var counts = new int[sample.Instances.Count + 1];
            foreach (byte v in sample.Labels) counts[v]++;
            for (int k = 0; k < sample.Instances.Count; k++)
            {
                var inst = sample.Instances[k];
                perClass[inst.ClassId]++;
                visPx.Add(counts[k + 1]);
                if (counts[k + 1] < 10) tiny++;
                if (VisibleFraction(sample, inst.GtIndex, infoCache) is { } f) visFract.Add(f);
            }
        }
        o.WriteLine($"dataset: {ds.Count} images, {ds.Models.Count} models in {ds.Models.Directory}" + (boxFile != null ? $", boxes from {boxFile}" : ", no 3D box file"));
        o.WriteLine($"  loaded {ok}, failed {failed}, without annotated objects {empty}, instances of unknown obj ids skipped {skippedInstances}");
        o.WriteLine("  instances per class:");
        for (int c = 0; c < perClass.Length; c++)
            o.WriteLine($"    class {c,3} (obj {ds.Models.ObjIds[c],6}): {perClass[c]}");
        o.WriteLine("  image sizes: " + (sizes.Count == 0 ? "-" : string.Join(", ", sizes.Select(kv => $"{kv.Key} ×{kv.Value}"))));
        if (visPx.Count > 0)
        {
            visPx.Sort();
            o.WriteLine($"  visible pixels per instance: min {visPx[0]}, median {visPx[visPx.Count / 2]}, max {visPx[^1]}; under 10 px (dropped in training): {tiny}");
        }
        if (visFract.Count > 0)
        {
            visFract.Sort();
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  visible fraction (scene_gt_info.json): min {visFract[0]:F3}, median {visFract[visFract.Count / 2]:F3}, mean {visFract.Average():F3}, below 0.5: {visFract.Count(v => v < 0.5)}"));
        }
        if (problems.Count == 0) { o.WriteLine("  no problems found"); return 0; }
        o.WriteLine($"  {problems.Count} problem(s):");
        foreach (var p in problems.Take(maxProblems)) o.WriteLine("    " + p);
        if (problems.Count > maxProblems) o.WriteLine($"    … and {problems.Count - maxProblems} more");
        return 2;
    }

    /// <summary>
    /// Compares every class's 8 corners in the box file with the axis-aligned box of its own mesh: the file and
    /// the models folder must line up class by class (a removed or added model shifts the class ids, and an
    /// object would silently get another's keypoints). Tolerance: 0.5 % of the mesh box diagonal.
    /// </summary>
    internal static List<string> CompareBoxes(BopDataset ds, string boxFile)
    {
        var problems = new List<string>();
        var kp = ds.Keypoints!;
        if (kp.Length != ds.Models.Count)
            problems.Add($"{boxFile}: {kp.Length} classes, but {ds.Models.Directory} has {ds.Models.Count} models (class ids are the sorted model files; regenerate it with posekd make-bbox)");
        for (int c = 0; c < Math.Min(kp.Length, ds.Models.Count); c++)
        {
            double[] own;
            try { own = Geometry.Meshes.MeshGeometry.BoxCorners(ds.Models.Mesh(c).Vertices); }
            catch (Exception e) when (e is FormatException or IOException or ArgumentException)
            {
                problems.Add($"{ds.Models.Files[c]}: {e.Message}");
                continue;
            }
            double diag = Math.Sqrt(Enumerable.Range(0, 3).Sum(a => (own[21 + a] - own[a]) * (own[21 + a] - own[a])));
            double worst = 0;
            for (int i = 0; i < 24; i++) worst = Math.Max(worst, Math.Abs(own[i] - kp[c][i]));
            if (!(worst <= 0.005 * diag))
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{boxFile}: class {c} (obj {ds.Models.ObjIds[c]}, {Path.GetFileName(ds.Models.Files[c])}): box corners differ from the mesh's own box by up to {worst:F3} mm (diagonal {diag:F1} mm); the box file and the models folder do not line up (regenerate it with posekd make-bbox)"));
        }
        return problems;
    }

    private static double? VisibleFraction(BopSample s, int gtIndex, Dictionary<string, JsonElement?> cache)
    {
        if (!cache.TryGetValue(s.SceneDir, out var info))
        {
            string path = Path.Combine(s.SceneDir, "scene_gt_info.json");
            info = null;
            if (File.Exists(path))
            {
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
                    info = doc.RootElement.Clone();
                }
                catch (JsonException) { info = null; }
            }
            cache[s.SceneDir] = info;
        }
        if (info is not { ValueKind: JsonValueKind.Object } obj) return null;
        string name = Path.GetFileNameWithoutExtension(s.ImagePath);
        if (!obj.TryGetProperty(s.ImId.ToString(CultureInfo.InvariantCulture), out var list) && !obj.TryGetProperty(name, out list)) return null;
        if (list.ValueKind != JsonValueKind.Array || gtIndex >= list.GetArrayLength()) return null;
        return list[gtIndex].TryGetProperty("visib_fract", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    }
}
