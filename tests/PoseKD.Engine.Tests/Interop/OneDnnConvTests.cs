using PoseKD.Engine.Interop;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tests.Kernels;

namespace PoseKD.Engine.Tests.Interop;

public class OneDnnConvTests
{
    public static TheoryData<int, int, int, int, int, int, int, int> Shapes => Conv2dTests.Shapes;

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OneDnn_BothLayouts_MatchDirectReference(int n, int c, int h, int w, int o, int k, int stride, int pad)
    {
        Assert.True(OneDnnConv.IsAvailable, $"{OneDnn.LibraryName} did not load: install the Debian package {OneDnn.DebianPackage}");
        var s = new Conv2dShape(n, c, h, w, o, k, k, stride, pad);
        bool saved = OneDnnConv.UseBlockedLayouts;
        try
        {
            foreach (bool blocked in new[] { false, true })
            {
                OneDnnConv.UseBlockedLayouts = blocked;
                ConvCheck.AllPasses(s, OneDnnConv.Forward, OneDnnConv.BackwardData, OneDnnConv.BackwardWeights, blocked ? "onednn-blocked" : "onednn-plain");
            }
        }
        finally { OneDnnConv.UseBlockedLayouts = saved; }
    }

    [Fact]
    public void OneDnn_ConcurrentCallsSameShape_AgreeWithReference()
    {
        Assert.True(OneDnnConv.IsAvailable);
        var s = new Conv2dShape(2, 8, 9, 9, 8, 3, 3, 1, 1);
        var rng = new Random(12);
        var x = ConvCheck.Random(rng, (int)s.InputSize);
        var w = ConvCheck.Random(rng, (int)s.WeightSize);
        var expected = new float[s.OutputSize];
        ConvReference.Forward(x, w, [], expected, s);
        var outputs = new float[8][];
        Parallel.For(0, outputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            outputs[i] = new float[s.OutputSize];
            OneDnnConv.Forward(x, w, [], outputs[i], s);
        });
        foreach (var y in outputs) PoseKD.TestSupport.Numeric.AssertClose(expected, y, 1e-4, 1e-5);
        Assert.True(OneDnnConv.CachedPlans > 0);
    }
}
