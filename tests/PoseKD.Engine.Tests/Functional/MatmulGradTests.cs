using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class MatmulGradTests
{
    private static Tensor U(ulong seed, params int[] shape) => Uniform(seed, -1f, 1f, shape);

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 1, 1 }, new[] { 1, 7 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 4, 2 })]
    [InlineData(new[] { 3, 4 }, new[] { 2, 4, 2 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4, 2 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 4, 2 })]
    public void Matmul_Shapes_MatchFiniteDifferences(int[] sa, int[] sb)
        => Check(x => F.Matmul(x[0], x[1]), [U(1, sa), U(2, sb)]);

    [Fact]
    public void Matmul_InnerMismatch_MessageNamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => F.Matmul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
    }

    [Fact]
    public void Matmul_Values_MatchHandComputed()
    {
        var c = F.Matmul(Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3), Tensor.FromArray([1, 0, 0, 1, 1, 1], 3, 2));
        Assert.Equal(new[] { 2, 2 }, c.Shape);
        Assert.Equal(new[] { 4f, 5f, 10f, 11f }, c.Data);
    }
}
