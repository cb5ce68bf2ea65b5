using System.Globalization;
using System.Text.Json;

namespace PoseKD.Inference.Onnx;

/// <summary>
/// What an application needs to decode a PoseKD network's outputs, stored in an exported model's
/// <c>metadata_props</c> under the keys <c>posekd.*</c>: backbone, class count (with background), per-level
/// strides and anchor sizes (level k's outputs are <c>cls_k</c> [B, N_CLASS − 1, H_k, W_k] and
/// <c>reg_k</c> [B, 16·(N_CLASS − 1), H_k, W_k]), the crop size and RGB normalisation of the input
/// <c>images</c> [B, 3, S, S], the internal camera, the confidence threshold, and optionally the 3D
/// keypoints (mm, per class 8 × 3) and the symmetric classes.
/// </summary>
public sealed record PoseModelMetadata
{
    /// <summary>Version of this metadata layout.</summary>
    public const int FormatVersion = 1;

    /// <summary>Backbone name (darknet53, darknet_tiny, darknet_tiny_h).</summary>
    public required string Backbone { get; init; }
    /// <summary>Classes including background (N_CLASS).</summary>
    public required int NClass { get; init; }
    /// <summary>Stride of each output level.</summary>
    public required IReadOnlyList<int> LevelStrides { get; init; }
    /// <summary>The configured anchor sides (MODEL.ANCHOR_SIZES, px; at least one per level — post-processing's counts use all of them).</summary>
    public required IReadOnlyList<int> AnchorSizes { get; init; }
    /// <summary>The configured anchor strides (MODEL.ANCHOR_STRIDES), same length as <see cref="AnchorSizes"/>.</summary>
    public required IReadOnlyList<int> AnchorStrides { get; init; }
    /// <summary>Crop side S of the input (INPUT_RES).</summary>
    public int InputRes { get; init; } = 256;
    /// <summary>RGB mean subtracted after scaling to [0, 1].</summary>
    public IReadOnlyList<double> PixelMean { get; init; } = [0.485, 0.456, 0.406];
    /// <summary>RGB standard deviation divided by.</summary>
    public IReadOnlyList<double> PixelStd { get; init; } = [0.229, 0.224, 0.225];
    /// <summary>Internal image width.</summary>
    public int InternalWidth { get; init; } = 640;
    /// <summary>Internal image height.</summary>
    public int InternalHeight { get; init; } = 480;
    /// <summary>Internal camera, row-major [9].</summary>
    public IReadOnlyList<double> InternalK { get; init; } = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];
    /// <summary>Sigmoid score above which a cell is a candidate (TEST.CONFIDENCE_TH).</summary>
    public double ConfidenceTh { get; init; } = 0.1;
    /// <summary>Cells kept per object across levels at test time (SOLVER.POSITIVE_NUM, 10).</summary>
    public int PositiveNum { get; init; } = 10;
    /// <summary>λ of the per-level share exp(−λ·log2(s/a_k)²) (SOLVER.POSITIVE_LAMBDA, 1).</summary>
    public double PositiveLambda { get; init; } = 1.0;
    /// <summary>Per class id (0-based, foreground) the 8 box-corner keypoints in mm [24], or empty when not stored.</summary>
    public IReadOnlyList<double[]> Keypoints3d { get; init; } = [];
    /// <summary>Symmetry rules by class id (reference notation, e.g. ["Z", "180"]).</summary>
    public IReadOnlyDictionary<int, string[]> SymmetryTypes { get; init; } = new Dictionary<int, string[]>();

    /// <summary>Number of output levels.</summary>
    public int LevelCount => LevelStrides.Count;

    /// <summary>Name of level k's class-logit output.</summary>
    public static string ClsOutput(int level) => $"cls_{level}";

    /// <summary>Name of level k's regression output.</summary>
    public static string RegOutput(int level) => $"reg_{level}";

    /// <summary>Name of the image input.</summary>
    public const string ImagesInput = "images";

    /// <summary>The entries written into <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["posekd.format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["posekd.backbone"] = Backbone,
            ["posekd.n_class"] = NClass.ToString(CultureInfo.InvariantCulture),
            ["posekd.level_strides"] = Join(LevelStrides.Select(x => (double)x)),
            ["posekd.anchor_sizes"] = Join(AnchorSizes.Select(x => (double)x)),
            ["posekd.anchor_strides"] = Join(AnchorStrides.Select(x => (double)x)),
            ["posekd.input_res"] = InputRes.ToString(CultureInfo.InvariantCulture),
            ["posekd.pixel_mean"] = Join(PixelMean),
            ["posekd.pixel_std"] = Join(PixelStd),
            ["posekd.internal_size"] = $"{InternalWidth},{InternalHeight}",
            ["posekd.internal_k"] = Join(InternalK),
            ["posekd.confidence_th"] = ConfidenceTh.ToString("R", CultureInfo.InvariantCulture),
            ["posekd.positive_num"] = PositiveNum.ToString(CultureInfo.InvariantCulture),
            ["posekd.positive_lambda"] = PositiveLambda.ToString("R", CultureInfo.InvariantCulture),
            ["posekd.outputs"] = string.Join(",", Enumerable.Range(0, LevelCount).SelectMany(k => new[] { ClsOutput(k), RegOutput(k) })),
        };
        if (Keypoints3d.Count > 0) d["posekd.keypoints_3d"] = JsonSerializer.Serialize(Keypoints3d);
        if (SymmetryTypes.Count > 0)
            d["posekd.symmetry_types"] = JsonSerializer.Serialize(SymmetryTypes.OrderBy(p => p.Key).ToDictionary(p => $"cls_{p.Key}", p => p.Value));
        return d;
    }

    /// <summary>Reads the entries written by <see cref="ToProperties"/>; a missing or malformed one is a <see cref="FormatException"/> naming <paramref name="file"/> and the key.</summary>
    public static PoseModelMetadata FromProperties(IReadOnlyDictionary<string, string> props, string file)
    {
        ArgumentNullException.ThrowIfNull(props);
        string Get(string key) => props.TryGetValue(key, out var v) ? v
            : throw new FormatException($"{file}: metadata '{key}' is missing (not a model exported by `posekd export`?)");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new FormatException($"{file}: metadata '{key}' = '{Get(key)}' is not an integer");
        double[] Doubles(string key, int? count = null)
        {
            var parts = Get(key).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var r = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out r[i]))
                    throw new FormatException($"{file}: metadata '{key}' = '{Get(key)}' is not a list of numbers");
            if (count is { } c && r.Length != c) throw new FormatException($"{file}: metadata '{key}' has {r.Length} values, expected {c}");
            return r;
        }
        int version = Int("posekd.format_version");
        if (version != FormatVersion) throw new FormatException($"{file}: metadata 'posekd.format_version' is {version}, this PoseKD reads {FormatVersion}");
        var size = Doubles("posekd.internal_size", 2);
        var strides = Doubles("posekd.level_strides").Select(x => (int)x).ToArray();
        var anchors = Doubles("posekd.anchor_sizes").Select(x => (int)x).ToArray();
        var anchorStrides = Doubles("posekd.anchor_strides").Select(x => (int)x).ToArray();
        if (strides.Length == 0 || anchors.Length != anchorStrides.Length || anchors.Length < strides.Length)
            throw new FormatException($"{file}: metadata 'posekd.level_strides' ({strides.Length}), 'posekd.anchor_sizes' ({anchors.Length}) and 'posekd.anchor_strides' ({anchorStrides.Length}) must be non-empty, the anchor lists of equal length and at least one entry per level");
        IReadOnlyList<double[]> kp = [];
        if (props.TryGetValue("posekd.keypoints_3d", out var kpJson))
        {
            try { kp = JsonSerializer.Deserialize<double[][]>(kpJson) ?? []; }
            catch (JsonException e) { throw new FormatException($"{file}: metadata 'posekd.keypoints_3d' is not a JSON array of arrays: {e.Message}", e); }
            if (kp.Any(k => k.Length != 24)) throw new FormatException($"{file}: metadata 'posekd.keypoints_3d' must hold 24 values (8 corners × 3) per class");
        }
        var sym = new Dictionary<int, string[]>();
        if (props.TryGetValue("posekd.symmetry_types", out var symJson))
        {
            Dictionary<string, string[]>? raw;
            try { raw = JsonSerializer.Deserialize<Dictionary<string, string[]>>(symJson); }
            catch (JsonException e) { throw new FormatException($"{file}: metadata 'posekd.symmetry_types' is not a JSON object: {e.Message}", e); }
            foreach (var (k, v) in raw ?? [])
            {
                if (!k.StartsWith("cls_", StringComparison.Ordinal) || !int.TryParse(k.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                    throw new FormatException($"{file}: metadata 'posekd.symmetry_types' key '{k}' is not cls_<id>");
                sym[id] = v;
            }
        }
        return new PoseModelMetadata
        {
            Backbone = Get("posekd.backbone"),
            NClass = Int("posekd.n_class"),
            LevelStrides = strides,
            AnchorSizes = anchors,
            AnchorStrides = anchorStrides,
            InputRes = Int("posekd.input_res"),
            PixelMean = Doubles("posekd.pixel_mean", 3),
            PixelStd = Doubles("posekd.pixel_std", 3),
            InternalWidth = (int)size[0],
            InternalHeight = (int)size[1],
            InternalK = Doubles("posekd.internal_k", 9),
            ConfidenceTh = double.TryParse(Get("posekd.confidence_th"), NumberStyles.Float, CultureInfo.InvariantCulture, out var th) ? th
                : throw new FormatException($"{file}: metadata 'posekd.confidence_th' is not a number"),
            PositiveNum = Int("posekd.positive_num"),
            PositiveLambda = Doubles("posekd.positive_lambda", 1)[0],
            Keypoints3d = kp,
            SymmetryTypes = sym,
        };
    }

    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
