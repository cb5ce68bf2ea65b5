using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// The WDRNet+ network: <c>backbone</c> → <c>fpn</c> → <c>head</c>, plus the <c>anchor_generator</c> buffers,
/// registered in this order so that <see cref="Module.StateDictKeys"/> equals the reference's
/// <c>PoseModule.state_dict()</c> keys. <see cref="Forward"/> returns the raw per-level maps; targets, losses
/// and post-processing live elsewhere.
/// </summary>
public sealed class PoseNet : Module
{
    /// <summary>
    /// Builds and initialises the network for <paramref name="options"/> (validated here). Initial weights are
    /// drawn from <paramref name="generator"/> (<see cref="Init.DefaultGenerator"/> when null), backbone first,
    /// then FPN, then head, with the reference's distributions (backbone Kaiming-uniform a = 0, FPN
    /// Kaiming-uniform a = 1, head N(0, 0.01), class bias from the prior).
    /// </summary>
    public PoseNet(PoseNetOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        var g = generator ?? Init.DefaultGenerator;
        Backbone = RegisterModule("backbone", Backbones.Create(options.Backbone, g));
        Fpn = RegisterModule("fpn", new Fpn(options.FeatChannels, options.OutChannel, options.UseHigherLevels, g));
        Head = RegisterModule("head", new PoseHead(options.OutChannel, options.NClass, options.NConv, options.Prior, g));
        Anchors = RegisterModule("anchor_generator", AnchorGenerator.FromOptions(options));
    }

    /// <summary>A network with the reference defaults of <paramref name="backbone"/> (<see cref="PoseNetOptions.ForBackbone"/>).</summary>
    public static PoseNet Create(string backbone, Generator? generator = null) => new(PoseNetOptions.ForBackbone(backbone), generator);

    /// <summary>The (validated) configuration.</summary>
    public PoseNetOptions Options { get; }

    /// <summary>The feature extractor (<c>backbone.*</c>).</summary>
    public Backbone Backbone { get; }

    /// <summary>The feature pyramid (<c>fpn.*</c>).</summary>
    public Fpn Fpn { get; }

    /// <summary>The shared head (<c>head.*</c>).</summary>
    public PoseHead Head { get; }

    /// <summary>The anchors (<c>anchor_generator.cell_anchors.*</c>).</summary>
    public AnchorGenerator Anchors { get; }

    /// <summary>Number of output levels.</summary>
    public int LevelCount => Fpn.LevelCount;

    /// <summary>Stride of each output level.</summary>
    public IReadOnlyList<int> LevelStrides => Options.LevelStrides;

    /// <summary>True when every backbone block runs with folded BatchNorm in eval mode (see <see cref="FoldBatchNorm"/>).</summary>
    public bool IsBatchNormFolded => Backbone.ConvBlocks().All(b => b.IsFolded);

    /// <summary>
    /// Images [B, 3, H, W] (normalised RGB; H, W multiples of the backbone's largest stride) → per-level FPN features,
    /// class logits and scaled keypoint offsets.
    /// </summary>
    public PoseNetOutput Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Shape[1] != 3)
            throw new ArgumentException($"PoseNet expects images [B, 3, H, W], got {Shapes.Format(images.Shape)}", nameof(images));
        int div = Backbone.Info.OutputStrides[^1];
        if (images.Shape[2] % div != 0 || images.Shape[3] % div != 0)
            throw new ArgumentException($"PoseNet ({Options.Backbone}) needs an input side divisible by {div}, got {Shapes.Format(images.Shape)}", nameof(images));
        var features = Fpn.Forward(Backbone.Forward(images));
        var (cls, reg) = Head.Forward(features);
        return new PoseNetOutput(features, cls, reg);
    }

    /// <summary>
    /// The deploy path: switches to evaluation mode and folds every backbone BatchNorm into its convolution
    /// (<see cref="ConvBlock.FoldBatchNorm"/>); outputs equal eval mode to float rounding. Call again after the
    /// weights change; <see cref="UnfoldBatchNorm"/> undoes it. The state dict is unchanged.
    /// </summary>
    public PoseNet FoldBatchNorm()
    {
        Eval();
        foreach (var b in Backbone.ConvBlocks()) b.FoldBatchNorm();
        return this;
    }

    /// <summary>Drops the folded weights of <see cref="FoldBatchNorm"/>.</summary>
    public PoseNet UnfoldBatchNorm()
    {
        foreach (var b in Backbone.ConvBlocks()) b.UnfoldBatchNorm();
        return this;
    }

    /// <summary>Number of parameter values (trainable tensors only, not buffers) under <paramref name="module"/>.</summary>
    public static long CountParameters(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.Parameters().Sum(p => (long)p.Numel);
    }
}
