using System.CommandLine;
using System.Globalization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using PoseKD.Training.Config;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd info --backbone B [--config Y] [--n-class N] [--size S] [--weights W] [--backbone-weights I]</c>:
/// describes the network a configuration builds — parameters per part, FLOPs per image at the crop size,
/// output levels with their strides, anchors and grid sizes — and, with a weights file, what loading it does
/// (matched / missing / unexpected / known-ignored keys).
/// </summary>
public sealed class InfoCommand : IVerb
{
    /// <summary>What to describe.</summary>
    /// <param name="Backbone">Backbone name, or null to take the config's MODEL.BACKBONE.</param>
    /// <param name="ConfigPath">A YAML config (the reference's layout), or null for the reference defaults.</param>
    /// <param name="NClass">N_CLASS override, or null (config value, else 16).</param>
    /// <param name="Size">Crop side override (pixels), or null (config INPUT_RES, else 256).</param>
    /// <param name="WeightsPath">A whole-network weights file to load and report on, or null.</param>
    /// <param name="BackboneWeightsPath">An ImageNet backbone file to load and report on, or null.</param>
    internal sealed record Request(string? Backbone, string? ConfigPath, int? NClass, int? Size, string? WeightsPath, string? BackboneWeightsPath);

    /// <inheritdoc />
    public Command Build()
    {
        var backbone = new Option<string?>("--backbone") { Description = $"Backbone: {string.Join(", ", BackboneInfo.Names)} (default: the config's MODEL.BACKBONE)." };
        var config = new Option<string?>("--config") { Description = "YAML config (the reference's ape.yaml layout); per-backbone FEAT_CHANNELS/OUT_CHANNEL are applied as the reference does." };
        var nClass = new Option<int?>("--n-class") { Description = "N_CLASS (classes + background); overrides the config (default 16)." };
        var size = new Option<int?>("--size") { Description = "Square crop side in pixels for the FLOP count (default: the config's INPUT_RES, 256)." };
        var weights = new Option<string?>("--weights") { Description = "A network weights file (.pth state dict or {'model': …} checkpoint, or .safetensors) to load and report on." };
        var backboneWeights = new Option<string?>("--backbone-weights") { Description = "An ImageNet backbone file (keys features.*, output.*) to load into backbone.* and report on." };
        var cmd = new Command("info", "Describe a WDRNet+ network: parameters, FLOPs, levels; with --weights, the load report.");
        foreach (var o in new Option[] { backbone, config, nClass, size, weights, backboneWeights }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            Run(new Request(parse.GetValue(backbone), parse.GetValue(config), parse.GetValue(nClass), parse.GetValue(size),
                parse.GetValue(weights), parse.GetValue(backboneWeights)), Console.Out);
            return 0;
        });
        return cmd;
    }

    /// <summary>Builds the options a request describes (config, per-backbone rules, overrides), validated.</summary>
    internal static (PoseNetOptions Options, int Size) ResolveOptions(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        PoseNetOptions options;
        int size = 256;
        if (request.ConfigPath is not null)
        {
            var cfg = PoseKDConfig.Load(request.ConfigPath);
            string name = request.Backbone ?? cfg.Model.Backbone;
            if (!BackboneInfo.Names.Contains(name))
                throw new ArgumentException($"--backbone: unknown backbone '{name}'; expected one of {string.Join(", ", BackboneInfo.Names)}");
            cfg = cfg.WithBackbone(name);
            options = new PoseNetOptions
            {
                Backbone = name,
                NClass = cfg.Datasets.NClass,
                NConv = cfg.Model.NConv,
                Prior = cfg.Model.Prior,
                UseHigherLevels = cfg.Model.UseHigherLevels,
                FeatChannels = cfg.Model.FeatChannels,
                OutChannel = cfg.Model.OutChannel,
                AnchorSizes = cfg.Model.AnchorSizes,
                AnchorStrides = cfg.Model.AnchorStrides,
            };
            size = cfg.Input.InputRes;
        }
        else
        {
            if (request.Backbone is null) throw new ArgumentException("--backbone is required without --config");
            if (!BackboneInfo.Names.Contains(request.Backbone))
                throw new ArgumentException($"--backbone: unknown backbone '{request.Backbone}'; expected one of {string.Join(", ", BackboneInfo.Names)}");
            options = PoseNetOptions.ForBackbone(request.Backbone);
        }
        if (request.NClass is { } n)
        {
            if (n < 2) throw new ArgumentException($"--n-class: expected an integer ≥ 2 (object classes + background), got {n}");
            options = options with { NClass = n };
        }
        if (request.Size is { } s)
        {
            if (s <= 0) throw new ArgumentException($"--size: expected a positive crop side in pixels, got {s}");
            size = s;
        }
        return (options.Validate(), size);
    }

    /// <summary>Writes the description (and load reports) to <paramref name="output"/>; returns the network.</summary>
    internal static PoseNet Run(Request request, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var (options, size) = ResolveOptions(request);
        int div = BackboneInfo.For(options.Backbone).OutputStrides[^1];
        if (size % div != 0) throw new ArgumentException($"--size: {options.Backbone} needs a crop side divisible by {div}, got {size}");
        var net = new PoseNet(options, new Generator(0));
        var ic = CultureInfo.InvariantCulture;
        string N(long v) => v.ToString("N0", ic);
        string G(long v) => (v / 1e9).ToString("0.000", ic);

        long total = PoseNet.CountParameters(net), bb = PoseNet.CountParameters(net.Backbone);
        long fpn = PoseNet.CountParameters(net.Fpn), head = PoseNet.CountParameters(net.Head);
        long classifier = net.Backbone switch { DarkNetTiny t => PoseNet.CountParameters(t.Output), DarkNet53 d => PoseNet.CountParameters(d.Output), _ => 0 };
        int unusedScales = PoseHead.ScaleCount - net.LevelCount;
        output.WriteLine($"network     {options.Backbone}: N_CLASS {options.NClass}, OUT_CHANNEL {options.OutChannel}, FEAT_CHANNELS [{string.Join(", ", options.FeatChannels)}], N_CONV {options.NConv}, P6/P7 {(options.UseHigherLevels ? "on" : "off")}");
        output.WriteLine($"parameters  {N(total)} = backbone {N(bb)} + fpn {N(fpn)} + head {N(head)}");
        output.WriteLine($"            unused by the forward pass: {N(classifier)} in the ImageNet classifier backbone.output" +
                         (unusedScales > 0 ? $", {unusedScales} in head.scales.{net.LevelCount}…{PoseHead.ScaleCount - 1} (level scales beyond the {net.LevelCount} levels)" : ""));
        output.WriteLine($"state dict  {net.StateDictKeys().Count()} keys (parameters, BatchNorm statistics, {net.Anchors.LevelCount} anchor buffers)");
        var cost = PoseNetCost.Compute(net, size, size);
        output.WriteLine($"FLOPs       {G(cost.TotalFlops)} G per {size}×{size} image = backbone {G(cost.BackboneFlops)} + fpn {G(cost.FpnFlops)} + head {G(cost.HeadFlops)} (2 × conv multiply-adds)");
        output.WriteLine($"levels      {net.LevelCount}");
        output.WriteLine("  level  stride  anchor  grid");
        for (int k = 0; k < net.LevelCount; k++)
            output.WriteLine($"  {k,5}  {net.LevelStrides[k],6}  {options.AnchorSizes[k],6}  {cost.LevelSizes[k].H}×{cost.LevelSizes[k].W}");
        if (request.BackboneWeightsPath is not null) WriteReport(output, "backbone weights", PoseNetWeights.LoadBackbone(net, request.BackboneWeightsPath, strict: false));
        if (request.WeightsPath is not null) WriteReport(output, "weights", PoseNetWeights.Load(net, request.WeightsPath, strict: false));
        return net;
    }

    private static void WriteReport(TextWriter output, string what, PoseNetLoadReport report)
    {
        output.WriteLine($"{what,-11} {report.Source}");
        output.WriteLine($"  matched {report.Matched.Count}, missing {report.Missing.Count}, unexpected {report.Unexpected.Count}, known-ignored {report.KnownIgnored.Count}" +
                         (report.IsComplete ? " — loads strictly" : " — a strict load would fail"));
        const int shown = 20;
        void List(string label, IReadOnlyList<string> keys)
        {
            if (keys.Count == 0) return;
            output.WriteLine($"  {label}:");
            foreach (var k in keys.Take(shown)) output.WriteLine($"    {k}");
            if (keys.Count > shown) output.WriteLine($"    … {keys.Count - shown} more");
        }
        List("missing", report.Missing);
        List("unexpected", report.Unexpected);
        List("known-ignored", report.KnownIgnored.Select(k => $"{k.Key}  ({k.Reason})").ToList());
    }
}
