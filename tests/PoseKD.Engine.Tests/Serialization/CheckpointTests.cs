using PoseKD.Engine.Nn;
using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Engine.Tests.Optim;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Serialization;

public class CheckpointTests
{
    private static string Temp(string ext) => Path.Combine(Path.GetTempPath(), $"posekd-ckpt-{Guid.NewGuid():N}{ext}");

    private static Sequential PthNet() => new(new Conv2d(3, 4, 3, bias: true), new BatchNorm2d(4));

    [Fact]
    public void LoadWeights_TorchSavedStateDictLoose_LoadsModuleAndReportsExtras()
    {
        var net = PthNet();
        var r = Checkpoint.LoadWeights(Numeric.Fixture("pth/state_dict.pth"), net, strict: false);
        Assert.Empty(r.MissingKeys);
        Assert.Equal(10, r.UnexpectedKeys.Count);
        Assert.All(r.UnexpectedKeys, k => Assert.StartsWith("extra.", k));
        var expected = SafeTensors.Read(Numeric.Fixture("pth/expected.safetensors"));
        foreach (var (k, v) in net.StateDict())
        {
            Assert.Equal(expected[k].Data, v.Data);
            Assert.Equal(expected[k].Shape, v.Shape);
        }
        Assert.Equal(3, ((BatchNorm2d)net[1]).NumBatchesTracked.Value);
        Assert.Throws<ArgumentException>(() => Checkpoint.LoadWeights(Numeric.Fixture("pth/state_dict.pth"), PthNet(), strict: true));
    }

    [Fact]
    public void PthRoundTrip_TorchSaveToPoseKDToSafeTensors_ValuesEqual()
    {
        var net = PthNet();
        Checkpoint.LoadWeights(Numeric.Fixture("pth/latest.pth"), net, strict: true);
        var path = Temp(".safetensors");
        try
        {
            Checkpoint.SaveWeights(path, net);
            var back = SafeTensors.Read(path);
            var expected = SafeTensors.Read(Numeric.Fixture("pth/expected.safetensors"));
            Assert.Equal(net.StateDictKeys().OrderBy(k => k, StringComparer.Ordinal), back.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (k, v) in back)
            {
                Assert.Equal(expected["latest." + k].Data, v.Data);
                Assert.Equal(expected["latest." + k].Shape, v.Shape);
            }
            Assert.Equal("I64", back["1.num_batches_tracked"].DType);
            var again = PthNet();
            Assert.True(Checkpoint.LoadWeights(path, again).IsExact);
            Assert.Equal(net.StateDict()["0.weight"].Data, again.StateDict()["0.weight"].Data);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_WeightsFileAsTrainingCheckpoint_ThrowsNamingTheField()
    {
        var path = Temp(".safetensors");
        try
        {
            Checkpoint.SaveWeights(path, PthNet());
            var e = Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path, PthNet()));
            Assert.Contains("model.*", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TorchStateImport_ReferenceLatestPth_ResumesModelOptimizerAndScheduler()
    {
        var path = Numeric.Fixture("pth/latest.pth");
        var root = (Dictionary<object, object?>)PthReader.Load(path)!;
        var net = PthNet();
        net.LoadStateDict(PthReader.ToStateDict(root["model"], path));
        var opt = new AdamW(net.Parameters(), 1e-3, weightDecay: 0);
        var sched = new OneCycleLR(opt, 1e-3, 200, 0.05);
        TorchStateImport.LoadAdamW(opt, root["optim"], path);
        TorchStateImport.LoadOneCycleLR(sched, root["sched"], path);
        Assert.Equal(1e-4, opt.WeightDecay);
        Assert.Equal(1, sched.LastStep);
        Assert.Equal(sched.Schedule.LearningRate(1), opt.LearningRate);
        Assert.Equal(0.00014666666666666666, opt.LearningRate, 15);
        var state = opt.StateDict();
        var torchState = (Dictionary<object, object?>)((Dictionary<object, object?>)root["optim"]!)["state"]!;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(1, opt.StepCount(i));
            Assert.Equal(((NamedArray)((Dictionary<object, object?>)torchState[(long)i]!)["exp_avg_sq"]!).Data, state[$"state.{i}.exp_avg_sq"].Data);
        }
        Assert.Throws<ArgumentException>(() => TorchStateImport.LoadOneCycleLR(new OneCycleLR(opt, 1e-3, 300, 0.05), root["sched"], path));
    }
}
