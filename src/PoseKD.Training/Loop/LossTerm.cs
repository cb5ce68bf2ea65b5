using PoseKD.Engine.Tensors;

namespace PoseKD.Training.Loop;

/// <summary>One named term of a training loss (<c>loss_cls</c>, <c>loss_reg</c>, <c>loss_kd</c>, …).</summary>
/// <param name="Name">Term name, as logged (<c>training/&lt;name&gt;</c>).</param>
/// <param name="Weighted">The term times its weight: a scalar tensor on the graph; the total loss is the sum of these.</param>
/// <param name="Weight">The weight the raw term was multiplied by.</param>
/// <param name="Unweighted">The term before weighting.</param>
public sealed record LossTerm(string Name, Tensor Weighted, double Weight, Tensor Unweighted)
{
    /// <summary>The weighted value as a number.</summary>
    public double Value => Weighted.Item();

    /// <summary>The unweighted value (what the reference writes to TensorBoard, also for a term of weight 0).</summary>
    public double Raw => Unweighted.Item();
}
