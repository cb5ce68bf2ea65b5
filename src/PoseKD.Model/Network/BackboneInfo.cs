namespace PoseKD.Model.Network;

/// <summary>
/// What a backbone hands to the FPN: the channel count and stride of each of its returned feature
/// maps (stride-2 stage first). Known without building the network, so options can be checked early.
/// </summary>
/// <param name="Name">Backbone name (<c>darknet53</c>, <c>darknet_tiny</c>, <c>darknet_tiny_h</c>).</param>
/// <param name="OutputChannels">Channels of each returned feature map.</param>
/// <param name="OutputStrides">Stride (input pixels per feature cell) of each returned feature map.</param>
public sealed record BackboneInfo(string Name, IReadOnlyList<int> OutputChannels, IReadOnlyList<int> OutputStrides)
{
    /// <summary>The three supported backbone names, teacher first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["darknet53", "darknet_tiny", "darknet_tiny_h"];

    /// <summary>
    /// The outputs of the named backbone. Darknet-53 returns its 5 stage outputs (64…1024 channels, strides
    /// 2…32); the tiny backbones return stages 1, 2, 3 and 5 (strides 2, 4, 8, 16; the last stage has no pool).
    /// </summary>
    /// <exception cref="ArgumentException">the name is not one of <see cref="Names"/>.</exception>
    public static BackboneInfo For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "darknet53" => new(name, [64, 128, 256, 512, 1024], [2, 4, 8, 16, 32]),
            "darknet_tiny" => new(name, [16, 32, 128, 128], [2, 4, 8, 16]),
            "darknet_tiny_h" => new(name, [8, 16, 64, 64], [2, 4, 8, 16]),
            _ => throw new ArgumentException($"unknown backbone '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
        };
    }
}
