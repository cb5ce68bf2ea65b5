using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using static PoseKD.Engine.Tests.GradCheck;

namespace PoseKD.Engine.Tests.Functional;

public class ShapeGradTests
{
    private static Tensor U(ulong seed, params int[] shape) => Uniform(seed, -2f, 2f, shape);

    [Fact]
    public void ReshapeFlattenUnsqueezeSqueeze_Any_MatchFiniteDifferences()
    {
        var x = U(1, 2, 3, 4);
        Check(t => F.Mul(F.Reshape(t, 4, -1), F.Reshape(t, 4, -1)), x);
        Check(t => F.Flatten(t, 1), x);
        Check(t => F.Squeeze(F.Unsqueeze(t, 1), 1), x);
    }

    [Fact]
    public void PermuteTranspose_Any_MatchFiniteDifferences()
    {
        var x = U(2, 2, 3, 4);
        Check(t => F.Permute(t, 2, 0, 1), x);
        Check(t => F.Transpose(t, 0, 2), x);
        Check(t => t.Transpose(-1, -2), x);
    }

    [Fact]
    public void NarrowSlice_Any_MatchFiniteDifferences()
    {
        var x = U(3, 3, 5, 2);
        Check(t => F.Narrow(t, 1, 1, 3), x);
        Check(t => F.Slice(t, 0, -2), x);
    }

    [Fact]
    public void ConcatStack_Any_MatchFiniteDifferences()
    {
        Check(x => F.Concat([x[0], x[1], x[2]], 1), [U(4, 2, 1, 3), U(5, 2, 4, 3), U(6, 2, 2, 3)]);
        Check(x => F.Stack([x[0], x[1]], 2), [U(7, 2, 3), U(8, 2, 3)]);
        Check(x => F.Stack([x[0], x[1]], 0), [U(9, 2, 3), U(10, 2, 3)]);
    }

    [Fact]
    public void Clone_Any_MatchesFiniteDifferences() => Check(t => F.Mul(t.Clone(), t), U(11, 2, 3));
}
