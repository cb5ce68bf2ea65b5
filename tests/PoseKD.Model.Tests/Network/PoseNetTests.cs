using PoseKD.Engine.Autograd;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Model.Tests.Network;

public sealed class PoseNetTests
{
    private static long[] ShapeOf(object slot) => slot switch
    {
        Tensor t => t.Shape.Select(x => (long)x).ToArray(),
        Int64Buffer => [],
        _ => throw new InvalidOperationException(slot.GetType().Name),
    };

    [Theory]
    [InlineData("darknet_tiny_h")]
    [InlineData("darknet_tiny")]
    [InlineData("darknet53")]
    public void StateDictKeys_EachBackbone_EqualReferenceKeysShapesAndCounts(string backbone)
    {
        var reference = NetworkFixtures.Keys(backbone);
        var net = PoseNet.Create(backbone, new Generator(1));
        var keys = net.StateDictKeys().ToArray();
        Assert.Equal(reference.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!).ToArray(), keys);
        var slots = net.NamedParameters().Select(p => (p.Name, (object)p.Parameter)).Concat(net.NamedBuffers()).ToDictionary(s => s.Item1, s => s.Item2);
        var shapes = reference.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        for (int i = 0; i < keys.Length; i++) Assert.True(shapes[i].SequenceEqual(ShapeOf(slots[keys[i]])), $"{keys[i]}: [{string.Join(", ", ShapeOf(slots[keys[i]]))}] vs reference [{string.Join(", ", shapes[i])}]");
        var p = reference.GetProperty("params");
        Assert.Equal(p.GetProperty("total").GetInt64(), PoseNet.CountParameters(net));
        Assert.Equal(p.GetProperty("backbone").GetInt64(), PoseNet.CountParameters(net.Backbone));
        Assert.Equal(p.GetProperty("fpn").GetInt64(), PoseNet.CountParameters(net.Fpn));
        Assert.Equal(p.GetProperty("head").GetInt64(), PoseNet.CountParameters(net.Head));
    }

    [Fact]
    public void CountParameters_TinyH_IssueFigures()
    {
        var net = PoseNet.Create("darknet_tiny_h", new Generator(1));
        Assert.Equal(2_304_468, PoseNet.CountParameters(net));
        Assert.Equal(294_480, PoseNet.CountParameters(net.Backbone));
        Assert.Equal(65_000, PoseNet.CountParameters(((DarkNetTiny)net.Backbone).Output));
        Assert.Equal(533_248, PoseNet.CountParameters(net.Fpn));
        Assert.Equal(1_476_740, PoseNet.CountParameters(net.Head));
    }

    [Fact]
    public void Forward_TinyH256_LevelShapesAndStrides()
    {
        var net = PoseNet.Create("darknet_tiny_h", new Generator(3));
        net.Eval();
        var x = Tensor.Randn(new Generator(4), 1, 3, 256, 256);
        PoseNetOutput o;
        using (GradMode.NoGrad()) o = net.Forward(x);
        Assert.Equal([8, 16, 32, 64], net.LevelStrides);
        Assert.Equal(4, o.Features.Count);
        for (int k = 0; k < 4; k++)
        {
            int side = 256 / net.LevelStrides[k];
            Assert.Equal([1, 128, side, side], o.Features[k].Shape);
            Assert.Equal([1, 15, side, side], o.ClsLogits[k].Shape);
            Assert.Equal([1, 240, side, side], o.PoseReg[k].Shape);
        }
    }

    [Fact]
    public void Constructor_SameSeed_SameWeights_OtherSeedDiffers()
    {
        var a = PoseNet.Create("darknet_tiny_h", new Generator(7)).StateDict();
        var b = PoseNet.Create("darknet_tiny_h", new Generator(7)).StateDict();
        var c = PoseNet.Create("darknet_tiny_h", new Generator(8)).StateDict();
        foreach (var key in a.Keys) Assert.Equal(a[key].Data, b[key].Data);
        Assert.NotEqual(a["head.cls_tower.0.weight"].Data, c["head.cls_tower.0.weight"].Data);
    }

    [Fact]
    public void Constructor_Initialisation_FollowsReferenceDistributions()
    {
        var net = PoseNet.Create("darknet_tiny", new Generator(11));
        // focal prior bias −log((1 − 0.01)/0.01)
        Assert.All(net.Head.ClsLogits.Bias!.Data, v => Assert.Equal(-Math.Log(99), v, 5));
        Assert.All(net.Head.PosePred.Bias!.Data, v => Assert.Equal(0f, v));
        Assert.All(net.Head.Scales, s => Assert.Equal(1f, s.Value.Data[0]));
        // head convs ~ N(0, 0.01)
        var w = net.Head.ClsTower[0] is Conv2d c0 ? c0.Weight.Data : throw new InvalidOperationException();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.0095, 0.0105);
        // FPN Kaiming-uniform a = 1: bound √(3 / fan_in)
        var inner = net.Fpn.InnerConvs[0];
        double bound = Math.Sqrt(3.0 / 128);
        Assert.InRange(inner.Weight.Data.Max(), 0.9 * bound, bound);
        Assert.All(inner.Bias!.Data, v => Assert.Equal(0f, v));
        // backbone Kaiming-uniform a = 0: bound √(6 / fan_in)
        var stem = ((DarkNetTiny)net.Backbone).ConvBlocks().First().Conv.Weight;
        double b0 = Math.Sqrt(6.0 / 27);
        Assert.InRange(stem.Data.Max(), 0.8 * b0, b0);
        Assert.InRange(stem.Data.Min(), -b0, -0.8 * b0);
    }

    [Fact]
    public void Forward_SideNotDivisible_ThrowsNamingShape()
    {
        var net = PoseNet.Create("darknet_tiny_h", new Generator(1));
        var ex = Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros(1, 3, 100, 100)));
        Assert.Contains("[1, 3, 100, 100]", ex.Message);
    }

    [Fact]
    public void Backbones_Create_UnknownName_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Backbones.Create("resnet50"));
        Assert.Contains("darknet53", ex.Message);
    }
}
