using System.Globalization;
using PoseKD.Data.Bop;
using PoseKD.Inference.Onnx;
using PoseKD.Model.Network;
using YamlDotNet.RepresentationModel;

namespace PoseKD.Inference.Configuration;

/// <summary>
/// The part of a PoseKD / reference YAML config (e.g. <c>configs/ape.yaml</c>) that deployment needs: the
/// network (<c>MODEL.*</c>, <c>DATASETS.N_CLASS</c>; unset values take the backbone's reference defaults) and
/// the decoding settings (<c>INPUT.*</c>, <c>TEST.CONFIDENCE_TH</c>, <c>SOLVER.POSITIVE_NUM/LAMBDA</c>, <c>DATASETS.SYMMETRY_TYPES</c>, the 3D
/// keypoints from <c>DATASETS.BBOX_FILE</c> when that file exists). Other keys are ignored.
/// </summary>
public sealed record DeploymentConfig
{
    /// <summary>The network to build.</summary>
    public required PoseNetOptions Network { get; init; }

    /// <summary>Decoding settings in the form an exported model stores them.</summary>
    public required PoseModelMetadata Metadata { get; init; }

    /// <summary>The 3D box file the keypoints came from (resolved), or null when it was not found.</summary>
    public string? BboxFile { get; init; }

    /// <summary>
    /// Reads <paramref name="path"/>; <paramref name="backbone"/>, when given, replaces <c>MODEL.BACKBONE</c>
    /// (and the backbone-dependent defaults). A relative BBOX_FILE is looked up from the working directory,
    /// then from the config's folder.
    /// </summary>
    /// <exception cref="FormatException">invalid YAML or a value of the wrong type; the message names the file and key.</exception>
    public static DeploymentConfig Read(string path, string? backbone = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"config not found: {path}", path);
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e) { throw new FormatException($"{path}: invalid YAML at line {e.Start.Line}: {e.Message}", e); }
        var root = yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null) throw new FormatException($"{path}: expected a mapping (MODEL, DATASETS, INPUT, …) at the top");
        var r = new Reader(root, path);

        var name = backbone ?? r.String("MODEL", "BACKBONE") ?? "darknet_tiny_h";
        var d = PoseNetOptions.ForBackbone(name);
        var network = d with
        {
            NClass = r.Int("DATASETS", "N_CLASS") ?? d.NClass,
            NConv = r.Int("MODEL", "N_CONV") ?? d.NConv,
            Prior = r.Double("MODEL", "PRIOR") ?? d.Prior,
            UseHigherLevels = r.Bool("MODEL", "USE_HIGHER_LEVELS") ?? d.UseHigherLevels,
            // FEAT_CHANNELS / OUT_CHANNEL belong to the backbone; a config for another backbone must not leak them in.
            FeatChannels = backbone is null ? r.Doubles("MODEL", "FEAT_CHANNELS")?.Select(v => (int)v).ToArray() ?? d.FeatChannels : d.FeatChannels,
            OutChannel = backbone is null ? r.Int("MODEL", "OUT_CHANNEL") ?? d.OutChannel : d.OutChannel,
            AnchorSizes = r.Doubles("MODEL", "ANCHOR_SIZES")?.Select(v => (int)v).ToArray() ?? d.AnchorSizes,
            AnchorStrides = r.Doubles("MODEL", "ANCHOR_STRIDES")?.Select(v => (int)v).ToArray() ?? d.AnchorStrides,
        };
        try { network.Validate(); }
        catch (ArgumentException e) { throw new FormatException($"{path}: {e.Message}", e); }

        string? bbox = null;
        IReadOnlyList<double[]> keypoints = [];
        if (r.String("DATASETS", "BBOX_FILE") is { } bboxPath)
        {
            var candidates = Path.IsPathRooted(bboxPath) ? [bboxPath]
                : new[] { Path.GetFullPath(bboxPath), Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, bboxPath)) };
            bbox = candidates.FirstOrDefault(File.Exists);
            if (bbox is not null) keypoints = BoxFile.Read(bbox);
        }
        var strides = network.LevelStrides;
        var m = new PoseModelMetadata { Backbone = name, NClass = network.NClass, LevelStrides = strides, AnchorSizes = network.AnchorSizes, AnchorStrides = network.AnchorStrides };
        var metadata = m with
        {
            InputRes = r.Int("INPUT", "INPUT_RES") ?? r.Int("MODEL", "INPUT_RES") ?? m.InputRes,
            PixelMean = r.Doubles("INPUT", "PIXEL_MEAN") ?? m.PixelMean,
            PixelStd = r.Doubles("INPUT", "PIXEL_STD") ?? m.PixelStd,
            InternalWidth = r.Int("INPUT", "INTERNAL_WIDTH") ?? m.InternalWidth,
            InternalHeight = r.Int("INPUT", "INTERNAL_HEIGHT") ?? m.InternalHeight,
            InternalK = r.Doubles("INPUT", "INTERNAL_K") ?? m.InternalK,
            ConfidenceTh = r.Double("TEST", "CONFIDENCE_TH") ?? m.ConfidenceTh,
            PositiveNum = r.Int("SOLVER", "POSITIVE_NUM") ?? m.PositiveNum,
            PositiveLambda = r.Double("SOLVER", "POSITIVE_LAMBDA") ?? m.PositiveLambda,
            Keypoints3d = keypoints,
            SymmetryTypes = r.Symmetry(),
        };
        if (metadata.PixelMean.Count != 3 || metadata.PixelStd.Count != 3) throw new FormatException($"{path}: INPUT.PIXEL_MEAN and INPUT.PIXEL_STD must have 3 values (RGB)");
        if (metadata.InternalK.Count != 9) throw new FormatException($"{path}: INPUT.INTERNAL_K must have 9 values, got {metadata.InternalK.Count}");
        return new DeploymentConfig { Network = network, Metadata = metadata, BboxFile = bbox };
    }

    private sealed class Reader(YamlMappingNode root, string file)
    {
        private YamlNode? Node(string section, string key)
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(section), out var s) || s is not YamlMappingNode map) return null;
            return map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
        }

        private string Scalar(string section, string key, YamlNode n) =>
            n is YamlScalarNode { Value: { } v } ? v : throw new FormatException($"{file}: {section}.{key} must be a scalar");

        public string? String(string section, string key) => Node(section, key) is { } n ? Scalar(section, key, n) : null;

        public double? Double(string section, string key)
        {
            if (Node(section, key) is not { } n) return null;
            var s = Scalar(section, key, n);
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{file}: {section}.{key} = '{s}' is not a number");
        }

        public int? Int(string section, string key)
        {
            var v = Double(section, key);
            if (v is null) return null;
            return v == Math.Floor(v.Value) ? (int)v.Value : throw new FormatException($"{file}: {section}.{key} = {v} is not an integer");
        }

        public bool? Bool(string section, string key)
        {
            if (String(section, key) is not { } s) return null;
            return s.ToLowerInvariant() switch
            {
                "true" or "yes" or "1" => true,
                "false" or "no" or "0" => false,
                _ => throw new FormatException($"{file}: {section}.{key} = '{s}' is not a boolean"),
            };
        }

        public double[]? Doubles(string section, string key)
        {
            if (Node(section, key) is not { } n) return null;
            if (n is not YamlSequenceNode seq) throw new FormatException($"{file}: {section}.{key} must be a list of numbers");
            return seq.Children.Select(c => c is YamlScalarNode { Value: { } s } && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new FormatException($"{file}: {section}.{key} must be a list of numbers")).ToArray();
        }

        public Dictionary<int, string[]> Symmetry()
        {
            var d = new Dictionary<int, string[]>();
            if (Node("DATASETS", "SYMMETRY_TYPES") is not { } n) return d;
            if (n is not YamlMappingNode map) throw new FormatException($"{file}: DATASETS.SYMMETRY_TYPES must be a mapping cls_<id>: [axis, degrees, …]");
            foreach (var (k, v) in map.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                if (!key.StartsWith("cls_", StringComparison.Ordinal) || !int.TryParse(key.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                    throw new FormatException($"{file}: DATASETS.SYMMETRY_TYPES key '{key}' is not cls_<id>");
                if (v is not YamlSequenceNode seq) throw new FormatException($"{file}: DATASETS.SYMMETRY_TYPES.{key} must be a list");
                d[id] = seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new FormatException($"{file}: DATASETS.SYMMETRY_TYPES.{key} must hold scalars")).ToArray();
            }
            return d;
        }
    }
}
