using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class Conv2dTests
{
    /// <summary>(n, c, h, w, o, k, stride, padding).</summary>
    public static TheoryData<int, int, int, int, int, int, int, int> Shapes => new()
    {
        { 1, 1, 5, 5, 1, 1, 1, 0 },
        { 2, 3, 7, 6, 4, 3, 1, 1 },
        { 3, 5, 9, 9, 2, 3, 2, 1 },
        { 2, 4, 8, 8, 3, 1, 2, 0 },
        { 2, 3, 6, 7, 5, 3, 1, 0 },
        { 2, 2, 10, 10, 3, 3, 2, 0 },
        { 1, 3, 5, 4, 2, 5, 1, 2 },
        { 4, 16, 4, 4, 8, 3, 1, 1 },
        { 2, 6, 3, 3, 4, 3, 2, 1 },
        { 17, 3, 2, 2, 2, 1, 1, 0 },
        { 3, 8, 11, 13, 6, 3, 2, 1 },
    };

    internal delegate void ForwardFn(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, Conv2dShape s);
    internal delegate void BackwardDataFn(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Conv2dShape s);
    internal delegate void BackwardWeightsFn(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> db, Conv2dShape s);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Im2Col_AllPasses_MatchDirectReference(int n, int c, int h, int w, int o, int k, int stride, int pad)
        => ConvCheck.AllPasses(new Conv2dShape(n, c, h, w, o, k, k, stride, pad),
            Conv2d.Im2ColForward, Conv2d.Im2ColBackwardData, Conv2d.Im2ColBackwardWeights, "im2col");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Dispatch_AllPasses_MatchDirectReference(int n, int c, int h, int w, int o, int k, int stride, int pad)
        => ConvCheck.AllPasses(new Conv2dShape(n, c, h, w, o, k, k, stride, pad),
            Conv2d.Forward, Conv2d.BackwardData, Conv2d.BackwardWeights, "dispatch");

    [Fact]
    public void Im2ColPackUnpack_AreTransposes()
    {
        // <Pack(x), col> == <x, Unpack(col)> for random x and col: Unpack is the adjoint of Pack.
        var s = new Conv2dShape(1, 3, 7, 5, 1, 3, 3, 2, 1);
        var rng = new Random(4);
        var x = ConvCheck.Random(rng, (int)s.InputSize);
        int cols = s.OutHeight * s.OutWidth;
        var col = ConvCheck.Random(rng, s.PatchSize * cols);
        var packed = new float[col.Length];
        Im2Col.Pack(x, packed, cols, s);
        var unpacked = new float[x.Length];
        Im2Col.Unpack(col, cols, unpacked, s);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < col.Length; i++) lhs += (double)packed[i] * col[i];
        for (int i = 0; i < x.Length; i++) rhs += (double)x[i] * unpacked[i];
        Numeric.AssertClose(lhs, rhs, 1e-4, 1e-5);
    }

    [Fact]
    public void Forward_WrongBufferLength_ThrowsWithShape()
    {
        var s = new Conv2dShape(1, 2, 4, 4, 3, 3, 3, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => Conv2d.Forward(new float[31], new float[54], [], new float[48], s));
        Assert.Contains("x has 31 elements, expected 32", ex.Message);
        Assert.Throws<ArgumentException>(() => Conv2d.Forward(new float[32], new float[54], new float[2], new float[48], s));
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColForward(new float[4], new float[9], [], new float[1], new Conv2dShape(1, 1, 2, 2, 1, 3, 3)));
    }

    [Fact]
    public void Shape_OutputSizes_FollowFloorFormula()
    {
        var s = new Conv2dShape(2, 3, 9, 8, 4, 3, 3, 2, 1);
        Assert.Equal(5, s.OutHeight);
        Assert.Equal(4, s.OutWidth);
        Assert.Equal(27, s.PatchSize);
        Assert.Equal(2.0 * 2 * 4 * 5 * 4 * 27, s.Flops);
    }
}

/// <summary>Shared comparison of convolution implementations against <see cref="ConvReference"/>.</summary>
internal static class ConvCheck
{
    public static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    public static void AllPasses(Conv2dShape s, Conv2dTests.ForwardFn fwd, Conv2dTests.BackwardDataFn bwdData,
        Conv2dTests.BackwardWeightsFn bwdWeights, string what)
    {
        var rng = new Random(s.GetHashCode() & 0xFFFF);
        var x = Random(rng, (int)s.InputSize);
        var w = Random(rng, (int)s.WeightSize);
        var bias = Random(rng, s.OutChannels);
        var dy = Random(rng, (int)s.OutputSize);
        double tol = 2e-6 * s.PatchSize + 1e-6;
        foreach (bool withBias in new[] { false, true })
        {
            var b = withBias ? bias : [];
            var expected = new float[s.OutputSize];
            ConvReference.Forward(x, w, b, expected, s);
            var actual = Random(rng, (int)s.OutputSize); // garbage: forward must overwrite
            fwd(x, w, b, actual, s);
            Numeric.AssertClose(expected, actual, tol, 1e-5, $"{what} forward {s} bias={withBias}");
        }

        var dxExpected = new float[s.InputSize];
        ConvReference.BackwardData(dy, w, dxExpected, s);
        var dx = Random(rng, (int)s.InputSize);
        bwdData(dy, w, dx, s);
        Numeric.AssertClose(dxExpected, dx, 2e-6 * s.OutChannels * s.KernelH * s.KernelW + 1e-6, 1e-5, $"{what} backward-data {s}");

        foreach (bool withBias in new[] { false, true })
        {
            // Gradients accumulate: start from non-zero buffers.
            var dwStart = Random(rng, (int)s.WeightSize);
            var dbStart = withBias ? Random(rng, s.OutChannels) : [];
            var dwExpected = (float[])dwStart.Clone();
            var dbExpected = (float[])dbStart.Clone();
            ConvReference.BackwardWeights(x, dy, dwExpected, dbExpected, s);
            var dw = (float[])dwStart.Clone();
            var db = (float[])dbStart.Clone();
            bwdWeights(x, dy, dw, db, s);
            double tolW = 2e-6 * s.N * s.OutHeight * s.OutWidth + 1e-6;
            Numeric.AssertClose(dwExpected, dw, tolW, 1e-5, $"{what} backward-weights {s} bias={withBias}");
            Numeric.AssertClose(dbExpected, db, tolW, 1e-5, $"{what} backward-bias {s}");
        }
    }
}
