namespace PoseKD.Engine.Serialization;

/// <summary>
/// A named n-d array as stored in a safetensors file: a shape and its values, row-major.
/// Floating dtypes (F32, F64, F16, BF16) load into <see cref="Data"/>; integer and bool dtypes into
/// <see cref="Int64Data"/> (and, converted, into <see cref="Data"/> as well).
/// </summary>
public sealed class NamedArray
{
    /// <summary>Shape (empty for a scalar).</summary>
    public required long[] Shape { get; init; }

    /// <summary>The safetensors dtype string the values were stored with (F32, I64, …).</summary>
    public required string DType { get; init; }

    /// <summary>Values as float32, row-major.</summary>
    public required float[] Data { get; init; }

    /// <summary>Values as int64 for integer/bool dtypes; null for floating dtypes.</summary>
    public long[]? Int64Data { get; init; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Shape as int[] (throws if a dimension exceeds int range).</summary>
    public int[] IntShape => Shape.Select(d => checked((int)d)).ToArray();
}
