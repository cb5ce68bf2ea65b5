using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd make-bbox &lt;models-dir&gt; &lt;out.json&gt;</c>: writes the reference's <c>linemod_bbox.json</c> —
/// for every <c>*.ply</c> in the folder, in sorted order (= class id order), the 8 corners of the mesh's
/// axis-aligned box, corner index 4·bx + 2·by + bz (b = 1: max coordinate).
/// </summary>
public sealed class MakeBboxCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var modelsDir = new Argument<string>("models-dir") { Description = "Folder with the models (obj_XXXXXX.ply); files are taken in sorted order." };
        var output = new Argument<string>("out.json") { Description = "Output JSON: a list, per model, of its 8 box corners [x, y, z] (mm)." };
        var cmd = new Command("make-bbox", "Write the 3D bounding-box keypoint file (linemod_bbox.json) from a models folder.");
        cmd.Arguments.Add(modelsDir);
        cmd.Arguments.Add(output);
        cmd.SetAction(parse =>
        {
            string dir = parse.GetValue(modelsDir)!, outPath = parse.GetValue(output)!;
            var n = Run(dir, outPath);
            Console.WriteLine($"wrote the boxes of {n} models to {outPath}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Writes the box file and returns the number of models.</summary>
    public static int Run(string modelsDir, string outPath)
    {
        ArgumentNullException.ThrowIfNull(modelsDir);
        ArgumentNullException.ThrowIfNull(outPath);
        CliPaths.Folder(modelsDir, "models", "models-dir");
        CliPaths.Output(outPath, "3D box JSON", "out.json");
        var files = Directory.GetFiles(modelsDir, "*.ply").OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"no .ply files in {modelsDir}");
        var all = new JsonArray();
        foreach (var f in files)
        {
            var corners = MeshGeometry.BoxCorners(PlyReader.Read(f).Vertices);
            var box = new JsonArray();
            for (int c = 0; c < 8; c++)
                box.Add(new JsonArray(JsonValue.Create(corners[3 * c]), JsonValue.Create(corners[3 * c + 1]), JsonValue.Create(corners[3 * c + 2])));
            all.Add(box);
        }
        var dirName = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (dirName != null) Directory.CreateDirectory(dirName);
        File.WriteAllText(outPath, all.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 4 }) + "\n");
        return files.Count;
    }
}
