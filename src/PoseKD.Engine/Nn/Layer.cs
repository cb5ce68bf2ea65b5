using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>A module with one tensor in and one tensor out; the elements of a <see cref="Sequential"/>.</summary>
public abstract class Layer : Module
{
    /// <summary>Computes the module's output for <paramref name="input"/> (recorded by autograd).</summary>
    public abstract Tensor Forward(Tensor input);
}
