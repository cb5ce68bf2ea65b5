using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// Darknet-53: a 3×3 32-channel stem (<c>features.init_block</c>), then five stages, each a 3×3 stride-2
/// <see cref="ConvBlock"/> (<c>unit1</c>) followed by 1, 2, 8, 8, 4 <see cref="DarkUnit"/>s (<c>unit2 …</c>) at
/// widths 64, 128, 256, 512, 1024; plus the unused ImageNet classifier <c>output</c> (Linear 1024 → 1000).
/// Returns the five stage outputs (strides 2 … 32).
/// </summary>
public sealed class DarkNet53 : Backbone
{
    /// <summary>Width of each stage.</summary>
    public static IReadOnlyList<int> StageWidths { get; } = [64, 128, 256, 512, 1024];

    /// <summary>Units per stage, the stride-2 conv included.</summary>
    public static IReadOnlyList<int> StageUnits { get; } = [2, 3, 9, 9, 5];

    private readonly ConvBlock _initBlock;
    private readonly Sequential[] _stages;

    /// <summary>Builds the network; conv weights Kaiming-uniform (a = 0) drawn from <paramref name="generator"/> in state-dict order.</summary>
    public DarkNet53(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Info = BackboneInfo.For("darknet53");
        Features = RegisterModule("features", new Sequential());
        _initBlock = new ConvBlock(3, 32, 3, 1, generator);
        Features.Add("init_block", _initBlock);
        _stages = new Sequential[StageWidths.Count];
        int inC = 32;
        for (int s = 0; s < StageWidths.Count; s++)
        {
            int width = StageWidths[s];
            var stage = new Sequential().Add("unit1", new ConvBlock(inC, width, 3, 2, generator));
            for (int u = 1; u < StageUnits[s]; u++) stage.Add($"unit{u + 1}", new DarkUnit(width, generator));
            Features.Add($"stage{s + 1}", stage);
            _stages[s] = stage;
            inC = width;
        }
        Output = RegisterModule("output", new ClassifierLinear(inC, 1000, generator));
    }

    /// <inheritdoc />
    public override BackboneInfo Info { get; }

    /// <summary>The stem and stages.</summary>
    public Sequential Features { get; }

    /// <summary>The unused ImageNet classifier.</summary>
    public ClassifierLinear Output { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Tensor> Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Shape[1] != 3)
            throw new ArgumentException($"darknet53 expects images [B, 3, H, W], got {Shapes.Format(images.Shape)}", nameof(images));
        var x = _initBlock.Forward(images);
        var outs = new Tensor[_stages.Length];
        for (int s = 0; s < _stages.Length; s++) outs[s] = x = _stages[s].Forward(x);
        return outs;
    }
}
