using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;

namespace PoseKD.Model.Tests.Targets;

public sealed class HeadLayoutTests
{
    [Fact]
    public void LevelGrid_AgreesWithNetworkAnchorGenerator()
    {
        var gen = new AnchorGenerator([32, 64, 128, 256, 512], [8, 16, 32, 64, 128]);
        int[] grids = [32, 16, 8, 4, 2];
        for (int k = 0; k < 5; k++)
        {
            var g = new LevelGrid(grids[k], grids[k], 8 << k, 32 << k);
            var (w, h) = gen.AnchorSize(k);
            Assert.Equal((float)g.AnchorSize, w);
            Assert.Equal((float)g.AnchorSize, h);
            for (int i = 0; i < g.Count; i += 3)
            {
                var (cx, cy) = gen.AnchorCenter(k, i / g.Width, i % g.Width);
                Assert.Equal(cx, g.CenterX(i));
                Assert.Equal(cy, g.CenterY(i));
            }
        }
    }

    [Fact]
    public void From_Output_LevelsOffsetsAndClasses()
    {
        var output = new PoseNetOutput([], [Tensor.Zeros(2, 3, 8, 8), Tensor.Zeros(2, 3, 4, 4)], [Tensor.Zeros(2, 48, 8, 8), Tensor.Zeros(2, 48, 4, 4)]);
        var layout = HeadLayout.From(output, new HeadOptions());
        Assert.Equal(3, layout.Classes);
        Assert.Equal(80, layout.TotalCells);
        Assert.Equal(64, layout.LevelOffset(1));
        Assert.Equal(new LevelGrid(4, 4, 16, 64), layout.Levels[1]);
    }

    [Fact]
    public void From_MismatchedRegressionChannels_Throws()
    {
        var output = new PoseNetOutput([], [Tensor.Zeros(1, 3, 8, 8)], [Tensor.Zeros(1, 47, 8, 8)]);
        var ex = Assert.Throws<ArgumentException>(() => HeadLayout.From(output, new HeadOptions()));
        Assert.Contains("[1, 47, 8, 8]", ex.Message);
    }

    [Fact]
    public void Validate_BadValues_NameTheField()
    {
        Assert.Contains("POSITIVE_NUM", Assert.Throws<ArgumentException>(() => new HeadOptions { PositiveNum = 0 }.Validate()).Message);
        Assert.Contains("CONFIDENCE_TH", Assert.Throws<ArgumentException>(() => new HeadOptions { ConfidenceTh = 1.5 }.Validate()).Message);
        Assert.Contains("ANCHOR_SIZES", Assert.Throws<ArgumentException>(() => new HeadOptions { AnchorSizes = [32] }.Validate()).Message);
        var d = new HeadOptions();
        Assert.Equal(10, d.PositiveNum);
        Assert.Equal(0.1, d.LossWeightCls);
        Assert.Equal(0.1, d.ConfidenceTh);
        Assert.Equal(104.26, d.DiameterMm(0));
        Assert.Equal(3, d.SymmetryTypes[9].Count);
    }
}
