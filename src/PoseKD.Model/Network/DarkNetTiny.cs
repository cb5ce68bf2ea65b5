using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// Darknet-Tiny (and its half-width variant): five stages of <see cref="ConvBlock"/>s; a stage with one unit
/// uses a 3×3 conv, a stage with several alternates 1×1, 3×3, 1×1, …; a 2×2 max-pool closes every stage but
/// the last. Keys <c>features.stage{s}.unit{u}.*</c> and the unused ImageNet classifier
/// <c>output.final_conv.{weight,bias}</c> (a 1×1 conv to 1000 classes). Returns the outputs of stages
/// 1, 2, 3 and 5 (strides 2, 4, 8, 16).
/// </summary>
public sealed class DarkNetTiny : Backbone
{
    /// <summary>Unit widths of darknet_tiny.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> TinyChannels { get; } = [[16], [32], [16, 128, 16, 128], [32, 256, 32, 256], [64, 512, 64, 512, 128]];

    /// <summary>Unit widths of darknet_tiny_h (half of <see cref="TinyChannels"/>).</summary>
    public static IReadOnlyList<IReadOnlyList<int>> TinyHalfChannels { get; } = [[8], [16], [8, 64, 8, 64], [16, 128, 16, 128], [32, 256, 32, 256, 64]];

    private readonly Sequential[] _stages;

    /// <summary>
    /// Builds the network named <paramref name="name"/> (<c>darknet_tiny</c> or <c>darknet_tiny_h</c>).
    /// Block weights are Kaiming-uniform (a = 0), the classifier N(0, 0.01) with zero bias, all drawn from
    /// <paramref name="generator"/> in state-dict order.
    /// </summary>
    public DarkNetTiny(string name, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var channels = name switch
        {
            "darknet_tiny" => TinyChannels,
            "darknet_tiny_h" => TinyHalfChannels,
            _ => throw new ArgumentException($"DarkNetTiny builds darknet_tiny or darknet_tiny_h, got '{name}'", nameof(name)),
        };
        Info = BackboneInfo.For(name);
        Features = RegisterModule("features", new Sequential());
        _stages = new Sequential[channels.Count];
        int inC = 3;
        for (int s = 0; s < channels.Count; s++)
        {
            var stage = new Sequential();
            var units = channels[s];
            for (int u = 0; u < units.Count; u++)
            {
                bool pointwise = units.Count > 1 && u % 2 == 0;
                stage.Add($"unit{u + 1}", new ConvBlock(inC, units[u], pointwise ? 1 : 3, 1, generator));
                inC = units[u];
            }
            if (s != channels.Count - 1) stage.Add($"pool{s + 1}", new MaxPool2d(2, 2));
            Features.Add($"stage{s + 1}", stage);
            _stages[s] = stage;
        }
        var finalConv = new Conv2d(inC, 1000, 1, generator: generator);
        Init.Normal(finalConv.Weight, generator, 0, 0.01);
        Init.Constant(finalConv.Bias!, 0);
        Output = RegisterModule("output", new Sequential().Add("final_conv", finalConv));
    }

    /// <inheritdoc />
    public override BackboneInfo Info { get; }

    /// <summary>The stages <c>stage1 … stage5</c>.</summary>
    public Sequential Features { get; }

    /// <summary>The unused ImageNet classifier (<c>output.final_conv</c>).</summary>
    public Sequential Output { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Tensor> Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Shape[1] != 3)
            throw new ArgumentException($"{Info.Name} expects images [B, 3, H, W], got {Shapes.Format(images.Shape)}", nameof(images));
        var o1 = _stages[0].Forward(images);
        var o2 = _stages[1].Forward(o1);
        var o3 = _stages[2].Forward(o2);
        var o4 = _stages[3].Forward(o3);
        var o5 = _stages[4].Forward(o4);
        return [o1, o2, o3, o5];
    }
}
