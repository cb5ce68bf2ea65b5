using PoseKD.Model.Network;

namespace PoseKD.Model.Tests.Network;

public sealed class AnchorGeneratorTests
{
    [Fact]
    public void CellAnchor_Stride8Size32_MatchesReferenceFormula()
    {
        Assert.Equal([-11.5f, -11.5f, 19.5f, 19.5f], AnchorGenerator.CellAnchor(8, 32));
        Assert.Equal([-191.5f, -191.5f, 319.5f, 319.5f], AnchorGenerator.CellAnchor(128, 512));
    }

    [Fact]
    public void Constructor_DefaultOptions_RegistersFivePersistentBuffers()
    {
        var g = AnchorGenerator.FromOptions(PoseNetOptions.ForBackbone("darknet_tiny_h"));
        Assert.Equal(["cell_anchors.0", "cell_anchors.1", "cell_anchors.2", "cell_anchors.3", "cell_anchors.4"], g.StateDictKeys());
        var sd = g.StateDict();
        Assert.Equal([1L, 4L], sd["cell_anchors.2"].Shape);
        Assert.Equal([-47.5f, -47.5f, 79.5f, 79.5f], sd["cell_anchors.2"].Data);
    }

    [Fact]
    public void GridAnchors_TwoByThree_ShiftsRowMajor()
    {
        var g = new AnchorGenerator([32, 64], [8, 16]);
        var a = g.GridAnchors(1, 2, 3);
        Assert.Equal(24, a.Length);
        // cell (i=1, j=2) → index 5, shift (32, 16)
        Assert.Equal([32 - 23.5f, 16 - 23.5f, 32 + 39.5f, 16 + 39.5f], a.AsSpan(20, 4).ToArray());
        var (w, h, cx, cy) = AnchorGenerator.Describe(a.AsSpan(20, 4));
        Assert.Equal((64f, 64f, 40f, 24f), (w, h, cx, cy));
        Assert.Equal((40f, 24f), g.AnchorCenter(1, 1, 2));
        Assert.Equal((64f, 64f), g.AnchorSize(1));
    }

    [Fact]
    public void GridAnchors_LevelOutOfRange_Throws()
    {
        var g = new AnchorGenerator([32], [8]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => g.GridAnchors(1, 2, 2));
        Assert.Contains("level 1", ex.Message);
    }

    [Fact]
    public void Constructor_LengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new AnchorGenerator([32, 64], [8]));
        Assert.Contains("2 sizes and 1 strides", ex.Message);
    }
}
