using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class ElementwiseGradTests
{
    private static Tensor U(ulong seed, params int[] shape) => Uniform(seed, -2f, 2f, shape);

    private static Tensor Grid(ulong seed, float offset, params int[] shape)
    {
        var n = Shapes.Numel(shape);
        var p = new Generator(seed).Permutation(n);
        return Tensor.FromArray(p.Select(k => (k - n / 2) * 0.2f + offset).ToArray(), shape);
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 3, 1, 4 }, new[] { 2, 1 })]
    [InlineData(new[] { 2, 3 }, new int[0])]
    [InlineData(new int[0], new[] { 2, 3 })]
    [InlineData(new[] { 1, 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 4 }, new[] { 2, 3, 4 })]
    public void AddSubMul_Broadcasting_MatchesFiniteDifferences(int[] sa, int[] sb)
    {
        Tensor a = U(1, sa), b = U(2, sb);
        Check(x => F.Add(x[0], x[1]), [a, b]);
        Check(x => F.Sub(x[0], x[1]), [a, b]);
        Check(x => F.Mul(x[0], x[1]), [a, b]);
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 3, 1, 4 }, new[] { 2, 1 })]
    [InlineData(new[] { 2, 3 }, new int[0])]
    public void Div_Broadcasting_MatchesFiniteDifferences(int[] sa, int[] sb)
        => Check(x => F.Div(x[0], x[1]), [U(3, sa), AwayFromZero(4, 0.5f, 2f, sb)]);

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 3, 1, 4 }, new[] { 2, 1 })]
    public void MinimumMaximum_Broadcasting_MatchesFiniteDifferences(int[] sa, int[] sb)
    {
        // Values on interleaved grids (a = 0.2k, b = 0.2k + 0.1): no pair closer than the FD step.
        Tensor a = Grid(5, 0f, sa), b = Grid(6, 0.1f, sb);
        Check(x => F.Minimum(x[0], x[1]), [a, b]);
        Check(x => F.Maximum(x[0], x[1]), [a, b]);
    }

    [Fact]
    public void ScalarOps_AnyShape_MatchFiniteDifferences()
    {
        var a = U(7, 2, 3);
        Check(x => F.Add(x, 1.5f), a);
        Check(x => F.Sub(x, 1.5f), a);
        Check(x => F.Mul(x, -2.5f), a);
        Check(x => F.Div(x, 3f), a);
        Check(x => 2f - x, a);
        Check(x => 2f / (x * x + 1f), a);
    }

    [Fact]
    public void UnaryOps_SmoothInputs_MatchFiniteDifferences()
    {
        var x = U(8, 3, 5);
        Check(F.Neg, x);
        Check(F.Exp, x);
        Check(F.Sigmoid, x);
        var pos = Uniform(9, 0.2f, 3f, 3, 5);
        Check(F.Log, pos);
        Check(F.Sqrt, pos);
        Check(t => F.Pow(t, 2.5f), pos);
        Check(t => F.Pow(t, -1f), pos);
        Check(t => F.Pow(t, 2f), x);
        Check(t => F.Pow(t, 3f), x);
        Check(t => F.Pow(t, 0f), x);
    }

    [Fact]
    public void KinkedOps_AwayFromKinks_MatchFiniteDifferences()
    {
        var x = AwayFromZero(10, 0.1f, 2f, 4, 6);
        Check(F.Abs, x);
        Check(F.Relu, x);
        Check(t => F.LeakyRelu(t, 0.1f), x);
        var c = Uniform(11, -3f, 3f, 40);
        for (int i = 0; i < c.Numel; i++) if (Math.Abs(Math.Abs(c.Data[i]) - 1f) < 0.1f) c.Data[i] = 0.5f;
        Check(t => F.Clamp(t, -1f, 1f), c);
        Check(t => F.Clamp(t, min: -1f), c);
        Check(t => F.Clamp(t, max: 1f), c);
    }

    [Fact]
    public void Where_Broadcasting_GradientGoesToSelectedSide()
    {
        var cond = Tensor.FromArray([1, 0, 1, 0, 0, 1], 2, 3);
        Check(x => F.Where(x[0], x[1], x[2]), [cond, U(12, 2, 3), U(13, 3)], [false, true, true]);
        Check(x => F.Where(x[0], x[1], x[2]), [Tensor.FromArray([1, 0], 2, 1), U(14, 2, 3), U(15, 1)], [false, true, true]);
    }

    [Fact]
    public void BroadcastTo_ExpandedDims_GradientIsSummed()
        => Check(t => F.BroadcastTo(t, 2, 3, 4), U(16, 3, 1));

    [Fact]
    public void Operators_Composite_MatchFiniteDifferences()
        => Check(x => (x[0] * x[1] - x[0] / (x[1] * x[1] + 1f)) + (-x[0]), [U(17, 2, 3), U(18, 3)]);
}
