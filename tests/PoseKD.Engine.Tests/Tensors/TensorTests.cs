using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void FromArray_LengthMismatch_ThrowsNamingShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], 2, 3));
        Assert.Contains("[2, 3]", e.Message);
    }

    [Fact]
    public void FromArray_Data_IsNotCopied()
    {
        var data = new float[6];
        Assert.Same(data, Tensor.FromArray(data, 2, 3).Data);
    }

    [Fact]
    public void Creation_ShapesAndValues_AreAsRequested()
    {
        Assert.Equal(new float[6], Tensor.Zeros(2, 3).Data);
        Assert.All(Tensor.Ones(4).Data, v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full(2.5f, 2, 2).Data, v => Assert.Equal(2.5f, v));
        var s = Tensor.Scalar(3f);
        Assert.Equal(0, s.Rank);
        Assert.Equal(3f, s.Item());
        Assert.Equal(new[] { 0f, 1f, 2f }, Tensor.Arange(3).Data);
        Assert.Equal(new[] { 1f, 1.5f, 2f, 2.5f }, Tensor.Arange(1f, 3f, 0.5f).Data);
        Assert.Equal(new[] { 3f, 2f }, Tensor.Arange(3f, 1f, -1f).Data);
        Assert.Empty(Tensor.Zeros(0, 3).Data);
    }

    [Fact]
    public void RandRandn_SameSeed_SameValues()
    {
        Assert.Equal(Tensor.Rand(new Generator(5), 10).Data, Tensor.Rand(new Generator(5), 10).Data);
        Assert.Equal(Tensor.Randn(new Generator(5), 10).Data, Tensor.Randn(new Generator(5), 10).Data);
        Assert.NotEqual(Tensor.Rand(new Generator(5), 10).Data, Tensor.Rand(new Generator(6), 10).Data);
    }

    [Fact]
    public void Reshape_InferredDim_SharesData()
    {
        var x = Tensor.Arange(12);
        var y = x.Reshape(3, -1);
        Assert.Equal(new[] { 3, 4 }, y.Shape);
        Assert.Same(x.Data, y.Data);
    }

    [Fact]
    public void Reshape_WrongCount_ThrowsNamingBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 2]", e.Message);
    }

    [Fact]
    public void Item_MultiElement_Throws() => Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2).Item());

    [Fact]
    public void Clone_Data_IsCopied()
    {
        var x = Tensor.Arange(3);
        var c = x.Clone();
        Assert.NotSame(x.Data, c.Data);
        Assert.Equal(x.Data, c.Data);
    }

    [Fact]
    public void Add_NotBroadcastable_MessageNamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void Operators_Values_MatchElementwiseMath()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3);
        var b = Tensor.FromArray([2f, 4f, 8f], 3);
        Assert.Equal(new[] { 3f, 6f, 11f }, (a + b).Data);
        Assert.Equal(new[] { -1f, -2f, -5f }, (a - b).Data);
        Assert.Equal(new[] { 2f, 8f, 24f }, (a * b).Data);
        Assert.Equal(new[] { 0.5f, 0.5f, 0.375f }, (a / b).Data);
        Assert.Equal(new[] { -1f, -2f, -3f }, (-a).Data);
        Assert.Equal(new[] { 1f, 0f, -1f }, (2f - a).Data);
        Assert.Equal(new[] { 1f / 3f, 2f / 3f, 1f }, (a / 3f).Data);
    }
}
