namespace PoseKD.Model.Network;

/// <summary>
/// The configuration of a WDRNet+ network (the reference's <c>MODEL</c> section plus <c>DATASETS.N_CLASS</c>).
/// <see cref="ForBackbone"/> gives the reference defaults for a backbone; <see cref="Validate"/> checks a
/// (possibly edited) set of values against the backbone before a network is built.
/// </summary>
public sealed record PoseNetOptions
{
    /// <summary>Backbone name (<c>MODEL.BACKBONE</c>): <c>darknet53</c>, <c>darknet_tiny</c> or <c>darknet_tiny_h</c>.</summary>
    public required string Backbone { get; init; }

    /// <summary>Number of classes including background (<c>DATASETS.N_CLASS</c>, 16 for LINEMOD); the head predicts N_CLASS − 1.</summary>
    public int NClass { get; init; } = 16;

    /// <summary>Conv → GroupNorm → ReLU blocks per head tower (<c>MODEL.N_CONV</c>, 4).</summary>
    public int NConv { get; init; } = 4;

    /// <summary>Focal-loss prior: class-logit bias = −log((1 − p)/p) (<c>MODEL.PRIOR</c>, 0.01).</summary>
    public double Prior { get; init; } = 0.01;

    /// <summary>Add the P6/P7 levels on top of the FPN (<c>MODEL.USE_HIGHER_LEVELS</c>, true).</summary>
    public bool UseHigherLevels { get; init; } = true;

    /// <summary>
    /// FPN input channels per backbone output (<c>MODEL.FEAT_CHANNELS</c>); 0 leaves that output out of the FPN
    /// (but keeps its index, so FPN module indices start at the first non-zero entry).
    /// </summary>
    public required IReadOnlyList<int> FeatChannels { get; init; }

    /// <summary>FPN and head width (<c>MODEL.OUT_CHANNEL</c>: 256, 128 for tiny_h); a multiple of 32 (GroupNorm(32)).</summary>
    public required int OutChannel { get; init; }

    /// <summary>Anchor side per level (<c>MODEL.ANCHOR_SIZES</c>, 32 … 512).</summary>
    public IReadOnlyList<int> AnchorSizes { get; init; } = [32, 64, 128, 256, 512];

    /// <summary>Anchor stride per level (<c>MODEL.ANCHOR_STRIDES</c>, 8 … 128).</summary>
    public IReadOnlyList<int> AnchorStrides { get; init; } = [8, 16, 32, 64, 128];

    /// <summary>
    /// The reference defaults for <paramref name="backbone"/>: FEAT_CHANNELS tiny [0,0,128,128], tiny_h
    /// [0,0,64,64], darknet53 [0,0,256,512,1024]; OUT_CHANNEL 256 (128 for tiny_h); N_CONV 4, PRIOR 0.01,
    /// P6/P7 on, anchors 32…512 at strides 8…128, N_CLASS 16.
    /// </summary>
    /// <exception cref="ArgumentException">unknown backbone name.</exception>
    public static PoseNetOptions ForBackbone(string backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        return backbone switch
        {
            "darknet53" => new() { Backbone = backbone, FeatChannels = [0, 0, 256, 512, 1024], OutChannel = 256 },
            "darknet_tiny" => new() { Backbone = backbone, FeatChannels = [0, 0, 128, 128], OutChannel = 256 },
            "darknet_tiny_h" => new() { Backbone = backbone, FeatChannels = [0, 0, 64, 64], OutChannel = 128 },
            _ => throw new ArgumentException($"unknown backbone '{backbone}'; expected one of {string.Join(", ", BackboneInfo.Names)}", nameof(backbone)),
        };
    }

    /// <summary>Index of the first backbone output the FPN uses (the first non-zero FEAT_CHANNELS entry).</summary>
    public int FirstFpnInput
    {
        get
        {
            for (int i = 0; i < FeatChannels.Count; i++) if (FeatChannels[i] != 0) return i;
            return FeatChannels.Count;
        }
    }

    /// <summary>Number of output levels: FPN inputs, plus 2 with P6/P7.</summary>
    public int LevelCount => FeatChannels.Count - FirstFpnInput + (UseHigherLevels ? 2 : 0);

    /// <summary>Number of foreground classes the head predicts (N_CLASS − 1).</summary>
    public int NumForegroundClasses => NClass - 1;

    /// <summary>The stride of each output level (8, 16, 32, 64 for the tiny backbones; … 128 for darknet53).</summary>
    public IReadOnlyList<int> LevelStrides
    {
        get
        {
            var info = BackboneInfo.For(Backbone);
            var s = new List<int>();
            int n = Math.Min(FeatChannels.Count, info.OutputStrides.Count);
            for (int i = FirstFpnInput; i < n; i++) s.Add(info.OutputStrides[i]);
            if (UseHigherLevels && s.Count > 0) { s.Add(s[^1] * 2); s.Add(s[^1] * 2); }
            return s;
        }
    }

    /// <summary>
    /// Checks the values against each other and the backbone; returns this for chaining.
    /// </summary>
    /// <exception cref="ArgumentException">a value is out of range or does not fit the backbone; the message names the field.</exception>
    public PoseNetOptions Validate()
    {
        var info = BackboneInfo.For(Backbone);
        if (NClass < 2) throw new ArgumentException($"N_CLASS must be ≥ 2 (background plus at least one object class), got {NClass}");
        if (NConv < 0) throw new ArgumentException($"N_CONV must be ≥ 0, got {NConv}");
        if (!(Prior > 0 && Prior < 1)) throw new ArgumentException($"PRIOR must lie in (0, 1), got {Prior}");
        if (OutChannel <= 0 || OutChannel % 32 != 0) throw new ArgumentException($"OUT_CHANNEL must be a positive multiple of 32 (the head's GroupNorm has 32 groups), got {OutChannel}");
        if (FeatChannels is null || FeatChannels.Count != info.OutputChannels.Count)
            throw new ArgumentException($"FEAT_CHANNELS must have {info.OutputChannels.Count} entries for {Backbone} (one per backbone output), got [{string.Join(", ", FeatChannels ?? [])}]");
        int first = FirstFpnInput;
        if (first == FeatChannels.Count) throw new ArgumentException($"FEAT_CHANNELS must have at least one non-zero entry, got [{string.Join(", ", FeatChannels)}]");
        for (int i = 0; i < FeatChannels.Count; i++)
        {
            if (i < first) continue;
            if (FeatChannels[i] != info.OutputChannels[i])
                throw new ArgumentException($"FEAT_CHANNELS[{i}] = {FeatChannels[i]} does not match {Backbone}'s output {i} with {info.OutputChannels[i]} channels (a non-zero entry must equal it; zeros may only lead): [{string.Join(", ", FeatChannels)}] vs [{string.Join(", ", info.OutputChannels)}]");
        }
        if (AnchorSizes is null || AnchorStrides is null || AnchorSizes.Count != AnchorStrides.Count)
            throw new ArgumentException($"ANCHOR_SIZES and ANCHOR_STRIDES must have the same length, got {AnchorSizes?.Count ?? 0} and {AnchorStrides?.Count ?? 0}");
        if (AnchorSizes.Any(v => v <= 0) || AnchorStrides.Any(v => v <= 0))
            throw new ArgumentException($"ANCHOR_SIZES and ANCHOR_STRIDES must be positive, got [{string.Join(", ", AnchorSizes)}] and [{string.Join(", ", AnchorStrides)}]");
        var strides = LevelStrides;
        if (AnchorStrides.Count < strides.Count)
            throw new ArgumentException($"ANCHOR_STRIDES has {AnchorStrides.Count} entries but the network produces {strides.Count} levels (strides {string.Join(", ", strides)})");
        for (int k = 0; k < strides.Count; k++)
            if (AnchorStrides[k] != strides[k])
                throw new ArgumentException($"ANCHOR_STRIDES[{k}] = {AnchorStrides[k]} but level {k} of {Backbone} has stride {strides[k]} (levels: {string.Join(", ", strides)})");
        return this;
    }
}
