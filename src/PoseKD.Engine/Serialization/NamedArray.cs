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

    /// <summary>Values as float64 for the F64 dtype (exact); null otherwise.</summary>
    public double[]? Float64Data { get; init; }

    /// <summary>A float32 array of the given shape.</summary>
    public static NamedArray FromFloats(float[] data, params long[] shape) => new() { Shape = shape, DType = "F32", Data = data };

    /// <summary>An int64 array of the given shape (its float32 view is filled too).</summary>
    public static NamedArray FromInt64(long[] data, params long[] shape)
        => new() { Shape = shape, DType = "I64", Data = data.Select(v => (float)v).ToArray(), Int64Data = data };

    /// <summary>A float64 array of the given shape, stored exactly (its float32 view is filled too).</summary>
    public static NamedArray FromFloat64(double[] data, params long[] shape)
        => new() { Shape = shape, DType = "F64", Data = data.Select(v => (float)v).ToArray(), Float64Data = data };

    /// <summary>A 0-d int64 scalar.</summary>
    public static NamedArray Int64Scalar(long value) => FromInt64([value]);

    /// <summary>A 0-d float64 scalar.</summary>
    public static NamedArray Float64Scalar(double value) => FromFloat64([value]);

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Shape as int[] (throws if a dimension exceeds int range).</summary>
    public int[] IntShape => Shape.Select(d => checked((int)d)).ToArray();
}
