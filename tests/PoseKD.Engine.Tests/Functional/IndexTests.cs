using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class IndexTests
{
    private static Tensor U(ulong seed, params int[] shape) => Uniform(seed, -2f, 2f, shape);

    [Fact]
    public void IndexSelect_RepeatedIndices_MatchesFiniteDifferences()
    {
        Check(t => F.IndexSelect(t, 1, [2, 0, 2, -1]), U(1, 2, 3, 2));
        Check(t => F.IndexSelect(t, 0, [1, 1]), U(2, 3, 4));
    }

    [Fact]
    public void IndexSelect_Values_AreSelectedRows()
    {
        var y = F.IndexSelect(Tensor.Arange(6).Reshape(3, 2), 0, [2, 0]);
        Assert.Equal(new[] { 2, 2 }, y.Shape);
        Assert.Equal(new[] { 4f, 5f, 0f, 1f }, y.Data);
    }

    [Fact]
    public void IndexSelect_OutOfRange_ThrowsNamingShape()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.IndexSelect(Tensor.Zeros(3, 2), 0, [3]));
        Assert.Contains("[3, 2]", e.Message);
    }

    [Fact]
    public void Gather_SmallerIndexShape_MatchesFiniteDifferences()
        => Check(t => F.Gather(t, 1, [0, 2, 2, 1, 1, 0], [2, 3, 1]), U(3, 2, 3, 2));

    [Fact]
    public void Gather_Values_FollowTorchSemantics()
    {
        // torch.gather(tensor([[1,2],[3,4]]), 1, tensor([[0,0],[1,0]])) = [[1,1],[4,3]]
        var y = F.Gather(Tensor.FromArray([1, 2, 3, 4], 2, 2), 1, [0, 0, 1, 0], [2, 2]);
        Assert.Equal(new[] { 1f, 1f, 4f, 3f }, y.Data);
    }

    [Fact]
    public void ScatterAdd_Duplicates_MatchesFiniteDifferences()
        => Check(x => F.ScatterAdd(x[0], 0, [0, 1, 0, 2, 0, 0], [2, 3], x[1]), [U(4, 3, 3), U(5, 2, 4)]);

    [Fact]
    public void ScatterAdd_Values_AccumulateDuplicates()
    {
        var y = F.ScatterAdd(Tensor.Zeros(3), 0, [0, 2, 0], [3], Tensor.FromArray([1, 2, 3], 3));
        Assert.Equal(new[] { 4f, 0f, 2f }, y.Data);
    }

    [Fact]
    public void MaskedSelect_BroadcastMask_MatchesFiniteDifferences()
    {
        Check(t => F.MaskedSelect(t, Tensor.FromArray([1, 0, 1, 1, 0, 0], 2, 3)), U(6, 2, 3));
        Check(t => F.MaskedSelect(t, Tensor.FromArray([1, 0, 1], 3)), U(7, 2, 3));
        Check(t => F.MaskedSelect(t, Tensor.FromArray([1, 0, 1, 1, 1, 0], 2, 3)), U(8, 3));
    }

    [Fact]
    public void MaskedSelect_Values_RowMajorOrder()
        => Assert.Equal(new[] { 0f, 2f, 3f }, F.MaskedSelect(Tensor.Arange(4), Tensor.FromArray([1, 0, 1, 1], 4)).Data);

    [Fact]
    public void Nonzero_Matrix_ReturnsRowMajorIndices()
    {
        var nz = F.Nonzero(Tensor.FromArray([0, 1, 0, 2, 0, 3], 2, 3));
        Assert.Equal(new[,] { { 0, 1 }, { 1, 0 }, { 1, 2 } }, nz);
        Assert.Equal(0, F.Nonzero(Tensor.Zeros(2, 2)).GetLength(0));
    }

    [Fact]
    public void TopK_LargestAndSmallest_ValuesAndIndices()
    {
        var x = Tensor.FromArray([3, 1, 4, 1.5f, 5, 9], 2, 3);
        var (v, i) = F.TopK(x, 2);
        Assert.Equal(new[] { 4f, 3f, 9f, 5f }, v.Data);
        Assert.Equal(new[] { 2, 0, 2, 1 }, i);
        var (vs, iS) = F.TopK(x, 1, dim: 0, largest: false);
        Assert.Equal(new[] { 1.5f, 1f, 4f }, vs.Data);
        Assert.Equal(new[] { 1, 0, 0 }, iS);
    }

    [Fact]
    public void TopK_DistinctValues_MatchesFiniteDifferences()
    {
        var perm = new Generator(9).Permutation(24);
        var x = Tensor.FromArray(perm.Select(p => p * 0.1f).ToArray(), 2, 3, 4);
        Check(t => F.TopK(t, 2, dim: 1).Values, x);
        Check(t => F.TopK(t, 3, largest: false, sorted: false).Values, x);
    }

    [Fact]
    public void Argmax_TiesAndNaN_FollowTorch()
    {
        Assert.Equal(new[] { 1, 0 }, F.Argmax(Tensor.FromArray([1, 5, 5, 7, 2, 7], 2, 3), 1));
        Assert.Equal(new[] { 1, 0, 1 }, F.Argmax(Tensor.FromArray([1, 5, 5, 7, 2, 7], 2, 3), 0));
        Assert.Equal(2, F.Argmax(Tensor.FromArray([1, 5, float.NaN, 7], 4)));
        Assert.Equal(3, F.Argmax(Tensor.FromArray([1, 5, 5, 7, 2, 7], 2, 3)));
    }
}
