namespace PoseKD.Training.Config;

/// <summary>The <c>MODEL</c> section: backbone and the FPN/head/anchor layout (defaults: the reference's darknet_tiny_h).</summary>
public sealed record ModelConfig
{
    /// <summary><c>BACKBONE</c>: darknet53, darknet_tiny or darknet_tiny_h.</summary>
    public string Backbone { get; init; } = "darknet_tiny_h";
    /// <summary><c>ANCHOR_SIZES</c> in crop pixels, one per level.</summary>
    public int[] AnchorSizes { get; init; } = [32, 64, 128, 256, 512];
    /// <summary><c>ANCHOR_STRIDES</c> in crop pixels, one per level.</summary>
    public int[] AnchorStrides { get; init; } = [8, 16, 32, 64, 128];
    /// <summary><c>OUT_CHANNEL</c>: FPN and head width (set per backbone: 256, tiny_h 128).</summary>
    public int OutChannel { get; init; } = 128;
    /// <summary><c>FEAT_CHANNELS</c>: backbone output widths fed to the FPN (0 = unused), set per backbone.</summary>
    public int[] FeatChannels { get; init; } = [0, 0, 64, 64];
    /// <summary><c>N_CONV</c>: convolutions per head tower.</summary>
    public int NConv { get; init; } = 4;
    /// <summary><c>PRIOR</c>: focal-loss prior of the class-logit bias.</summary>
    public double Prior { get; init; } = 0.01;
    /// <summary><c>USE_HIGHER_LEVELS</c>: add P6/P7.</summary>
    public bool UseHigherLevels { get; init; } = true;
}
