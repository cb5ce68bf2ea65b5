namespace PoseKD.Engine.Nn;

/// <summary>
/// A scalar int64 module buffer (PyTorch keeps <c>num_batches_tracked</c> as a 0-d int64 tensor);
/// it appears in the state dict as a 0-d I64 array.
/// </summary>
public sealed class Int64Buffer
{
    /// <summary>The value.</summary>
    public long Value { get; set; }
}
