using PoseKD.Model.Network;

namespace PoseKD.Model.Tests.Network;

public sealed class PoseNetOptionsTests
{
    [Theory]
    [InlineData("darknet_tiny_h", new[] { 0, 0, 64, 64 }, 128, 4)]
    [InlineData("darknet_tiny", new[] { 0, 0, 128, 128 }, 256, 4)]
    [InlineData("darknet53", new[] { 0, 0, 256, 512, 1024 }, 256, 5)]
    public void ForBackbone_KnownName_ReferenceDefaults(string name, int[] feat, int outChannel, int levels)
    {
        var o = PoseNetOptions.ForBackbone(name).Validate();
        Assert.Equal(feat, o.FeatChannels);
        Assert.Equal(outChannel, o.OutChannel);
        Assert.Equal(16, o.NClass);
        Assert.Equal(4, o.NConv);
        Assert.Equal(0.01, o.Prior);
        Assert.True(o.UseHigherLevels);
        Assert.Equal([32, 64, 128, 256, 512], o.AnchorSizes);
        Assert.Equal([8, 16, 32, 64, 128], o.AnchorStrides);
        Assert.Equal(levels, o.LevelCount);
        Assert.Equal(new[] { 8, 16, 32, 64, 128 }.Take(levels), o.LevelStrides);
        Assert.Equal(2, o.FirstFpnInput);
    }

    [Fact]
    public void ForBackbone_UnknownName_ThrowsNamingChoices()
    {
        var ex = Assert.Throws<ArgumentException>(() => PoseNetOptions.ForBackbone("resnet18"));
        Assert.Contains("resnet18", ex.Message);
        Assert.Contains("darknet_tiny_h", ex.Message);
    }

    [Fact]
    public void Validate_FeatChannelsOfOtherBackbone_ThrowsNamingField()
    {
        var o = PoseNetOptions.ForBackbone("darknet_tiny") with { FeatChannels = [0, 0, 64, 64] };
        var ex = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Contains("FEAT_CHANNELS[2]", ex.Message);
    }

    [Fact]
    public void Validate_OutChannelNotMultipleOf32_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => (PoseNetOptions.ForBackbone("darknet_tiny_h") with { OutChannel = 100 }).Validate());
        Assert.Contains("OUT_CHANNEL", ex.Message);
    }

    [Fact]
    public void Validate_TooFewAnchorStrides_Throws()
    {
        var o = PoseNetOptions.ForBackbone("darknet53") with { AnchorSizes = [32, 64, 128, 256], AnchorStrides = [8, 16, 32, 64] };
        var ex = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Contains("5 levels", ex.Message);
    }

    [Fact]
    public void Validate_NClassOne_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => (PoseNetOptions.ForBackbone("darknet53") with { NClass = 1 }).Validate());
        Assert.Contains("N_CLASS", ex.Message);
    }

    [Fact]
    public void LevelCount_WithoutHigherLevels_IsFpnInputs()
    {
        var o = (PoseNetOptions.ForBackbone("darknet53") with { UseHigherLevels = false }).Validate();
        Assert.Equal(3, o.LevelCount);
        Assert.Equal([8, 16, 32], o.LevelStrides);
    }
}
