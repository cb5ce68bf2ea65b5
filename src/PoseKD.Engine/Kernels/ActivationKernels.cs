using System.Numerics;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// ReLU and leaky ReLU, elementwise, as PyTorch: relu(x) = max(x, 0); leaky(x) = x if x &gt; 0 else slope·x
/// (Darknet uses slope 0.1). Backward: dx = dy where x &gt; 0, else 0 (ReLU) or slope·dy (leaky); at x = 0 the
/// gradient is 0 (ReLU) and slope·dy (leaky), as PyTorch.
/// <para>In place: every kernel accepts an output that aliases its input (y = x, dx = dy). The backward only
/// needs the sign of x, so it may be given the forward OUTPUT instead of the input when the output has the
/// same sign pattern: always for ReLU (y &gt; 0 ⇔ x &gt; 0) and for leaky ReLU when slope &gt; 0. So an in-place
/// forward (which overwrites x) is safe for these ops provided no other consumer of x needs its old values
/// for its own backward; with slope ≤ 0 the input must be kept.</para>
/// </summary>
public static class ActivationKernels
{
    private const int Chunk = 1 << 15;

    /// <summary>y = max(x, 0). <paramref name="y"/> may alias <paramref name="x"/>.</summary>
    /// <param name="x">[count]</param><param name="y">[count]</param>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => LeakyRelu(x, y, 0f);

    /// <summary>dx = dy where xOrY &gt; 0, else 0. <paramref name="xOrY"/> is the forward input or output; dx may alias dy.</summary>
    /// <param name="dy">[count]</param><param name="xOrY">[count]</param><param name="dx">[count]</param>
    public static void ReluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xOrY, Span<float> dx) => LeakyReluBackward(dy, xOrY, dx, 0f);

    /// <summary>y = x if x &gt; 0 else slope·x. <paramref name="y"/> may alias <paramref name="x"/>.</summary>
    /// <param name="x">[count]</param><param name="y">[count]</param><param name="slope">negative slope</param>
    public static unsafe void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float slope)
    {
        NnKernelHelpers.CheckLength(y.Length, x.Length, nameof(y));
        int count = x.Length;
        fixed (float* px = x, py = y)
        {
            nint ax = (nint)px, ay = (nint)py;
            int chunks = (count + Chunk - 1) / Chunk;
            NnKernelHelpers.For(chunks, Chunk, k =>
            {
                int o = k * Chunk, len = Math.Min(Chunk, count - o);
                LeakyChunk(new ReadOnlySpan<float>((float*)ax + o, len), new Span<float>((float*)ay + o, len), slope);
            });
        }
    }

    /// <summary>
    /// dx = dy where xOrY &gt; 0, else slope·dy. Pass the forward output only when slope &gt; 0 (see the class
    /// remarks); dx may alias dy.
    /// </summary>
    /// <param name="dy">[count]</param><param name="xOrY">[count]</param><param name="dx">[count]</param><param name="slope">negative slope</param>
    public static unsafe void LeakyReluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xOrY, Span<float> dx, float slope)
    {
        NnKernelHelpers.CheckLength(xOrY.Length, dy.Length, nameof(xOrY));
        NnKernelHelpers.CheckLength(dx.Length, dy.Length, nameof(dx));
        int count = dy.Length;
        fixed (float* pdy = dy, px = xOrY, pdx = dx)
        {
            nint ady = (nint)pdy, ax = (nint)px, adx = (nint)pdx;
            int chunks = (count + Chunk - 1) / Chunk;
            NnKernelHelpers.For(chunks, Chunk, k =>
            {
                int o = k * Chunk, len = Math.Min(Chunk, count - o);
                LeakyBackwardChunk(new ReadOnlySpan<float>((float*)ady + o, len), new ReadOnlySpan<float>((float*)ax + o, len),
                    new Span<float>((float*)adx + o, len), slope);
            });
        }
    }

    private static void LeakyChunk(ReadOnlySpan<float> x, Span<float> y, float slope)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(slope);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * vs).CopyTo(y.Slice(i));
            }
        }
        for (; i < x.Length; i++) { float v = x[i]; y[i] = v > 0f ? v : v * slope; }
    }

    private static void LeakyBackwardChunk(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, float slope)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(slope);
            for (; i <= dy.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(dy.Slice(i));
                var v = new Vector<float>(x.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), g, g * vs).CopyTo(dx.Slice(i));
            }
        }
        for (; i < dy.Length; i++) dx[i] = x[i] > 0f ? dy[i] : dy[i] * slope;
    }

    /// <summary>Plain reference of <see cref="LeakyRelu"/> (slope 0 gives ReLU), in any floating type.</summary>
    public static void LeakyReluReference<T>(ReadOnlySpan<T> x, Span<T> y, T slope) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? x[i] : x[i] * slope;
    }

    /// <summary>Plain reference of <see cref="LeakyReluBackward"/> (slope 0 gives ReLU's).</summary>
    public static void LeakyReluBackwardReference<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dx, T slope) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dy.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : dy[i] * slope;
    }
}
