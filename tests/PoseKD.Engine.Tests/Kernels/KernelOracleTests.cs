using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class KernelOracleTests
{
    public static TheoryData<int[], int[]> BroadcastShapes => new()
    {
        { new[] { 3, 4 }, new[] { 3, 4 } }, { new[] { 3, 1, 4 }, new[] { 2, 1 } }, { new[] { 5, 1 }, new[] { 1, 6 } },
        { new[] { 2, 3, 4, 5 }, new[] { 3, 1, 5 } }, { new[] { 1 }, new[] { 2, 3 } }, { new int[0], new[] { 4 } },
        { new[] { 2, 1, 1 }, new[] { 1, 3, 1 } }, { new[] { 7, 1 }, new[] { 7, 9 } },
    };

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Binary_RandomShapes_MatchesReference(int[] sa, int[] sb)
    {
        var g = new Generator(1);
        var a = Tensor.Randn(g, sa);
        var b = Tensor.Randn(g, sb);
        var plan = new BroadcastPlan(sa, sb);
        int n = Shapes.Numel(plan.OutShape);
        var fast = new float[n];
        var reference = new float[n];
        Broadcast.Binary<SubOp>(a.Data, b.Data, fast, plan, 0, plan.Outer);
        Broadcast.BinaryReference<SubOp>(a.Data, sa, b.Data, sb, reference);
        Assert.Equal(reference, fast);
    }

    [Theory]
    [InlineData(1, 7, 1)]
    [InlineData(3, 5, 4)]
    [InlineData(2, 1, 9)]
    [InlineData(4, 0, 3)]
    public void SumMax_RandomBlocks_MatchReference(int outer, int r, int inner)
    {
        var x = Tensor.Randn(new Generator(2), outer, r, inner).Data;
        float[] fast = new float[outer * inner], reference = new float[outer * inner];
        Reduce.Sum(x, fast, outer, r, inner);
        Reduce.SumReference(x, reference, outer, r, inner);
        Numeric.AssertClose(reference, fast, 1e-5, 1e-5);
        if (r == 0) return;
        Reduce.Max(x, fast, outer, r, inner);
        Reduce.MaxReference(x, reference, outer, r, inner);
        Assert.Equal(reference, fast);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 5, 6 }, new[] { 1, 0 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 0, 2, 1, 3 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 3, 1, 2, 0 })]
    public void Permute_RandomShapes_MatchesReference(int[] shape, int[] perm)
    {
        var x = Tensor.Randn(new Generator(3), shape).Data;
        float[] fast = new float[x.Length], reference = new float[x.Length];
        Layout.Permute(x, fast, shape, perm);
        Layout.PermuteReference(x, reference, shape, perm);
        Assert.Equal(reference, fast);
    }

    [Fact]
    public void ReluLeakyRelu_LongSpansWithNaNAndZero_MatchScalarDefinition()
    {
        var x = Tensor.Randn(new Generator(4), 67).Data;
        x[3] = 0f; x[10] = float.NaN; x[40] = -0f;
        var g = Tensor.Randn(new Generator(5), 67).Data;
        float[] y = new float[67], dx = new float[67];
        Elementwise.Relu(x, y);
        Elementwise.ReluBackward(y, g, dx);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(float.IsNaN(x[i]) ? float.NaN : Math.Max(x[i], 0f), y[i]);
            Assert.Equal(y[i] > 0 ? g[i] : 0f, dx[i]);
        }
        Elementwise.LeakyRelu(x, 0.1f, y);
        Elementwise.LeakyReluBackward(x, g, 0.1f, dx);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(x[i] > 0 ? x[i] : x[i] * 0.1f, y[i]);
            Assert.Equal(x[i] > 0 ? g[i] : g[i] * 0.1f, dx[i]);
        }
    }
}
