using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Model.Tests.Network;

public sealed class PoseNetCostTests
{
    // Reference figures: 2 × multiply-adds of every Conv2d that runs, counted with forward hooks on the
    // reference's PoseModule at 1×3×256×256.
    [Theory]
    [InlineData("darknet_tiny_h", 4_739_051_520L)]
    [InlineData("darknet_tiny", 17_301_528_576L)]
    public void Compute_256_EqualsReferenceHookCount(string backbone, long flops)
    {
        var cost = PoseNetCost.Compute(PoseNet.Create(backbone, new Generator(1)), 256, 256);
        Assert.Equal(flops, cost.TotalFlops);
        Assert.Equal([(32, 32), (16, 16), (8, 8), (4, 4)], cost.LevelSizes);
    }

    [Fact]
    public void Compute_TinyH_HeadDominates()
    {
        var cost = PoseNetCost.Compute(PoseNet.Create("darknet_tiny_h", new Generator(1)), 256, 256);
        // tower: 8 convs 128→128 3×3 and predictors (15 + 240 outputs) over 32² + 16² + 8² + 4² = 1360 cells
        long perCell = 2L * 9 * 128 * (8 * 128 + 15 + 240);
        Assert.Equal(perCell * 1360, cost.HeadFlops);
    }

    [Fact]
    public void Compute_SizeNotDivisible_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => PoseNetCost.Compute(PoseNet.Create("darknet_tiny_h", new Generator(1)), 250, 256));
        Assert.Contains("multiple of 16", ex.Message);
    }
}
