using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>
/// Layers applied in order, like <c>torch.nn.Sequential</c>: y = f_n(…f_1(x)). Unnamed layers get the keys
/// "0", "1", …; <see cref="Add"/> gives explicit names (<c>unit1</c>, <c>pool1</c>, as <c>add_module</c>).
/// </summary>
public sealed class Sequential : Layer
{
    private readonly List<Layer> _layers = new();

    /// <summary>Creates the sequence with keys "0", "1", ….</summary>
    public Sequential(params Layer[] layers)
    {
        foreach (var l in layers) Add(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), l);
    }

    /// <summary>Appends <paramref name="layer"/> under <paramref name="name"/>; returns this.</summary>
    public Sequential Add(string name, Layer layer)
    {
        RegisterModule(name, layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Layer this[int index] => _layers[index];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in _layers) x = l.Forward(x);
        return x;
    }
}
