using System.Numerics.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// A float binary operation d = f(a, b) with its vectorised span forms (used by <see cref="Broadcast"/>).
/// Implementations are empty structs so that the generic kernels are specialised and inlined by the JIT.
/// </summary>
public interface IBinaryOp
{
    /// <summary>f(a, b) for one pair.</summary>
    static abstract float Apply(float a, float b);
    /// <summary>d[i] = f(a[i], b[i]).</summary>
    static abstract void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d);
    /// <summary>d[i] = f(a[i], b).</summary>
    static abstract void Apply(ReadOnlySpan<float> a, float b, Span<float> d);
    /// <summary>d[i] = f(a, b[i]).</summary>
    static abstract void Apply(float a, ReadOnlySpan<float> b, Span<float> d);
}

/// <summary>a + b.</summary>
public readonly struct AddOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a + b;
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Add(a, b, d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Add(a, b, d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Add(b, a, d);
}

/// <summary>a − b.</summary>
public readonly struct SubOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a - b;
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Subtract(a, b, d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Subtract(a, b, d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Subtract(a, b, d);
}

/// <summary>a · b.</summary>
public readonly struct MulOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a * b;
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Multiply(a, b, d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Multiply(a, b, d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Multiply(b, a, d);
}

/// <summary>a / b (IEEE division: x/0 = ±∞, 0/0 = NaN).</summary>
public readonly struct DivOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a / b;
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Divide(a, b, d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Divide(a, b, d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Divide(a, b, d);
}

/// <summary>min(a, b), NaN if either is NaN (torch.minimum).</summary>
public readonly struct MinOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => MathF.Min(a, b);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Min(a, b, d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Min(a, b, d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Min(b, a, d);
}

/// <summary>max(a, b), NaN if either is NaN (torch.maximum).</summary>
public readonly struct MaxOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => MathF.Max(a, b);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Max(a, b, d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Max(a, b, d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Max(b, a, d);
}

/// <summary>Returns a (ignores b): with a broadcast plan it materialises a broadcast of a.</summary>
public readonly struct CopyLeftOp : IBinaryOp
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a;
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => a.CopyTo(d);
    /// <inheritdoc/>
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => a.CopyTo(d);
    /// <inheritdoc/>
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => d.Fill(a);
}
