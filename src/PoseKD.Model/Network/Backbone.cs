using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// A feature extractor: an image batch [B, 3, H, W] in, several feature maps out (shapes given by
/// <see cref="Info"/>). Its ImageNet classifier (<c>output.*</c>) is kept only so that reference and ImageNet
/// state dicts load key for key; the forward pass never runs it.
/// </summary>
public abstract class Backbone : Module
{
    /// <summary>Name, output channels and strides.</summary>
    public abstract BackboneInfo Info { get; }

    /// <summary>The feature maps the FPN reads, map k: [B, Info.OutputChannels[k], H/stride_k, W/stride_k].</summary>
    public abstract IReadOnlyList<Tensor> Forward(Tensor images);

    /// <summary>Every <see cref="ConvBlock"/> in the backbone, in state-dict order.</summary>
    public IEnumerable<ConvBlock> ConvBlocks() => NamedModules().Select(m => m.Module).OfType<ConvBlock>();
}
