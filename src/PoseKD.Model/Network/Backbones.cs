using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>Builds a backbone from its configured name.</summary>
public static class Backbones
{
    /// <summary>
    /// A new, randomly initialised backbone: <c>darknet53</c> → <see cref="DarkNet53"/>, <c>darknet_tiny</c> /
    /// <c>darknet_tiny_h</c> → <see cref="DarkNetTiny"/>. Weights are drawn from <paramref name="generator"/>
    /// (<see cref="Init.DefaultGenerator"/> when null).
    /// </summary>
    /// <exception cref="ArgumentException">unknown name.</exception>
    public static Backbone Create(string name, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var g = generator ?? Init.DefaultGenerator;
        return name switch
        {
            "darknet53" => new DarkNet53(g),
            "darknet_tiny" or "darknet_tiny_h" => new DarkNetTiny(name, g),
            _ => throw new ArgumentException($"unknown backbone '{name}'; expected one of {string.Join(", ", BackboneInfo.Names)}", nameof(name)),
        };
    }
}
