using System.Numerics;

namespace PoseKD.Engine.Kernels;

/// <summary>Small shared helpers of the normalisation/pooling/activation/loss kernels.</summary>
internal static class NnKernelHelpers
{
    /// <summary>Runs <paramref name="body"/>(i) for i in [0, count) through <see cref="Parallelism.For"/>
    /// (parallel when count·workPerItem is large, inline otherwise).</summary>
    internal static void For(int count, long workPerItem, Action<int> body)
        => Parallelism.For(count, workPerItem, (start, end) =>
        {
            for (int i = start; i < end; i++) body(i);
        });

    /// <summary>y[i] = a·x[i] + b (y may alias x).</summary>
    internal static void ScaleShift(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(a);
            var vb = new Vector<float>(b);
            int last = x.Length - Vector<float>.Count;
            for (; i <= last; i += Vector<float>.Count)
                (new Vector<float>(x.Slice(i)) * va + vb).CopyTo(y.Slice(i));
        }
        for (; i < x.Length; i++) y[i] = a * x[i] + b;
    }

    /// <summary>Throws when a buffer's length differs from the length its shape implies.</summary>
    internal static void CheckLength(int actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements, expected {expected}", name);
    }
}
