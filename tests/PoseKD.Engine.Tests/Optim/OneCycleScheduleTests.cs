using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Optim;

public class OneCycleScheduleTests
{
    private static readonly Dictionary<string, NamedArray> Golden = SafeTensors.Read(Numeric.Fixture("optim/onecycle.safetensors"));

    [Theory]
    [InlineData("ref", 120, 0.05, true)]
    [InlineData("pct30", 37, 0.3, true)]
    [InlineData("cos", 50, 0.25, false)]
    public void LearningRate_EveryStep_EqualsTorchBitForBit(string name, int total, double pct, bool linear)
    {
        var expected = OptimKernelsTests.Bits(Golden[name + "_bits"]);
        var s = new OneCycleSchedule(1e-3, total, pct, linear);
        Assert.Equal(total + 1, expected.Length);
        for (int t = 0; t <= total; t++) Assert.Equal(expected[t], s.LearningRate(t));
    }

    [Fact]
    public void LearningRate_ReferenceDefaults_PeaksAtWarmupEnd()
    {
        var s = new OneCycleSchedule(1e-3, 10100, 0.05);
        Assert.Equal(1e-3 / 25, s.LearningRate(0));
        Assert.Equal(504, s.WarmupEndStep);
        Assert.Equal(1e-3, s.LearningRate(504), 15);
        Assert.Equal(1e-3 / 25 / 1e4, s.LearningRate(10099), 15);
    }

    [Fact]
    public void LearningRate_BeyondTotal_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycleSchedule(1e-3, 10).LearningRate(11));
}
