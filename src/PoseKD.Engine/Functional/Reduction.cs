namespace PoseKD.Engine.Functional;

/// <summary>How a loss reduces its elementwise values, as PyTorch's <c>reduction</c> argument.</summary>
public enum Reduction
{
    /// <summary>No reduction: the loss has the input's shape.</summary>
    None,

    /// <summary>Sum of the elementwise losses (a scalar).</summary>
    Sum,

    /// <summary>Mean of the elementwise losses (a scalar; NaN for an empty input, as PyTorch).</summary>
    Mean,
}
