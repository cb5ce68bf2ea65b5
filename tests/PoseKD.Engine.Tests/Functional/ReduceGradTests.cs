using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class ReduceGradTests
{
    public static TheoryData<int[]?, bool> DimSets => new()
    {
        { null, false }, { new[] { 0 }, false }, { new[] { 1 }, true }, { new[] { -1 }, false },
        { new[] { 0, 2 }, true }, { new[] { 0, 2 }, false }, { new[] { 1, 2 }, false }, { new[] { 0, 1, 2 }, true },
    };

    [Theory]
    [MemberData(nameof(DimSets))]
    public void SumMeanLogSumExp_DimSets_MatchFiniteDifferences(int[]? dims, bool keepDim)
    {
        var x = Uniform(1, -2f, 2f, 2, 3, 4);
        Check(t => F.Sum(t, dims, keepDim), x);
        Check(t => F.Mean(t, dims, keepDim), x);
        Check(t => F.LogSumExp(t, dims, keepDim), x);
    }

    [Theory]
    [MemberData(nameof(DimSets))]
    public void Max_DistinctValues_MatchFiniteDifferences(int[]? dims, bool keepDim)
    {
        // A permutation of well-separated values: no ties within 2h.
        var perm = new Generator(2).Permutation(24);
        var x = Tensor.FromArray(perm.Select(p => p * 0.1f - 1f).ToArray(), 2, 3, 4);
        Check(t => F.Max(t, dims, keepDim), x);
    }

    [Fact]
    public void Max_Ties_GradientSplitEvenly()
    {
        var x = Tensor.FromArray([1, 3, 3, 0, 2, 2, 2, 1], 2, 4);
        x.RequiresGrad = true;
        F.Max(x, 1).Backward(Tensor.FromArray([1f, 3f], 2));
        Assert.Equal(new[] { 0f, 0.5f, 0.5f, 0f, 1f, 1f, 1f, 0f }, x.Grad!.Data);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 0, 2 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 1, 3 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 0, 2 })]
    [InlineData(new[] { 3, 2, 1, 4, 2 }, new[] { 0, 2, 4 })]
    [InlineData(new[] { 2, 0, 3 }, new[] { 1 })]
    public void SumMaxLogSumExp_SeveralRuns_MatchBruteForce(int[] shape, int[] dims)
    {
        var x = Tensor.Randn(new Generator(3), shape);
        var keep = (int[])shape.Clone();
        foreach (int d in dims) keep[d] = 1;
        int n = Shapes.Numel(keep);
        var groups = new List<double>[n];
        for (int i = 0; i < n; i++) groups[i] = [];
        var strides = Shapes.Strides(keep);
        for (int i = 0; i < x.Numel; i++)
        {
            int rem = i, o = 0;
            for (int k = shape.Length - 1; k >= 0; k--) { int j = rem % shape[k]; rem /= shape[k]; if (keep[k] != 1) o += j * strides[k]; }
            groups[o].Add(x.Data[i]);
        }
        PoseKD.TestSupport.Numeric.AssertClose(groups.Select(g => (float)g.Sum()).ToArray(), F.Sum(x, dims, true).Data, 1e-5, 1e-5);
        PoseKD.TestSupport.Numeric.AssertClose(groups.Select(g => (float)Math.Log(g.Sum(Math.Exp))).ToArray(), F.LogSumExp(x, dims, true).Data, 1e-5, 1e-5);
        if (x.Numel > 0)
            Assert.Equal(groups.Select(g => (float)g.Max()).ToArray(), F.Max(x, dims, true).Data);
    }
}
