using System.Numerics;
using System.Numerics.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Element-wise kernels on equally long spans (x, g, y, d all of the same length n). Forward kernels
/// write d; backward kernels write dx = ∂L/∂x from g = ∂L/∂y. Derivatives at kinks follow PyTorch:
/// relu'(0) = 0, leaky_relu'(0) = slope, |x|'(0) = 0, clamp' = 1 on the closed interval [min, max].
/// </summary>
public static class Elementwise
{
    /// <summary>d = a + b.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Add(a, b, d);

    /// <summary>acc += x.</summary>
    public static void AddInPlace(Span<float> acc, ReadOnlySpan<float> x) => TensorPrimitives.Add(acc, x, acc);

    /// <summary>d = −x.</summary>
    public static void Neg(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Negate(x, d);

    /// <summary>d = eˣ.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Exp(x, d);

    /// <summary>d = ln x (−∞ at 0, NaN below).</summary>
    public static void Log(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Log(x, d);

    /// <summary>d = √x.</summary>
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sqrt(x, d);

    /// <summary>d = |x|.</summary>
    public static void Abs(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Abs(x, d);

    /// <summary>d = σ(x) = 1 / (1 + e⁻ˣ).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sigmoid(x, d);

    /// <summary>d = max(x, 0) (NaN stays NaN).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Max(x, 0f, d);

    /// <summary>d = x if x &gt; 0 else slope·x.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, float slope, Span<float> d)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(slope);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * s).CopyTo(d.Slice(i));
            }
        }
        for (; i < x.Length; i++) { float v = x[i]; d[i] = v > 0 ? v : v * slope; }
    }

    /// <summary>d = min(max(x, min), max); a NaN bound is ignored by passing ±∞. NaN inputs stay NaN.</summary>
    public static void Clamp(ReadOnlySpan<float> x, float min, float max, Span<float> d)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            d[i] = float.IsNaN(v) ? v : v < min ? min : v > max ? max : v;
        }
    }

    /// <summary>d = xᵖ (exact forms for p ∈ {0, 1, 2, 0.5, −1}, else TensorPrimitives.Pow).</summary>
    public static void Pow(ReadOnlySpan<float> x, float p, Span<float> d)
    {
        if (p == 2f) TensorPrimitives.Multiply(x, x, d);
        else if (p == 1f) x.CopyTo(d);
        else if (p == 0f) d.Fill(1f);
        else if (p == 0.5f) TensorPrimitives.Sqrt(x, d);
        else if (p == -1f) TensorPrimitives.Divide(1f, x, d);
        else TensorPrimitives.Pow(x, p, d);
    }

    /// <summary>dx = g where y &gt; 0, else 0 (y = relu(x)).</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gv = new Vector<float>(g.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(y.Slice(i)), Vector<float>.Zero), gv, Vector<float>.Zero).CopyTo(dx.Slice(i));
            }
        for (; i < y.Length; i++) dx[i] = y[i] > 0 ? g[i] : 0f;
    }

    /// <summary>dx = g where x &gt; 0, else slope·g.</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float slope, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(slope);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gv = new Vector<float>(g.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x.Slice(i)), Vector<float>.Zero), gv, gv * s).CopyTo(dx.Slice(i));
            }
        }
        for (; i < x.Length; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * slope;
    }

    /// <summary>dx = g where min ≤ x ≤ max, else 0.</summary>
    public static void ClampBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float min, float max, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] >= min && x[i] <= max ? g[i] : 0f;
    }

    /// <summary>dx = sign(x)·g with sign(0) = 0.</summary>
    public static void AbsBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f;
    }

    /// <summary>dx = g·y·(1 − y) (y = σ(x)).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = g[i] * (y[i] * (1f - y[i]));
    }

    /// <summary>dx = g / (2y) (y = √x).</summary>
    public static void SqrtBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = g[i] / (2f * y[i]);
    }

    /// <summary>dx = g·p·xᵖ⁻¹ (0 when p = 0, as in PyTorch).</summary>
    public static void PowBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float p, Span<float> dx)
    {
        if (p == 0f) { dx.Clear(); return; }
        if (p == 1f) { g.CopyTo(dx); return; }
        if (p == 2f) { for (int i = 0; i < x.Length; i++) dx[i] = g[i] * (2f * x[i]); return; }
        for (int i = 0; i < x.Length; i++) dx[i] = g[i] * (p * MathF.Pow(x[i], p - 1f));
    }
}
