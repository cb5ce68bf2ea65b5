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
    public void SaveLoad_TrainingCheckpoint_ResumedRunIsBitExact()
    {
        var g = TrajectoryGoldenTests.Golden;
        var (x, y) = TrajectoryGoldenTests.Data(g);
        (Sequential Net, AdamW Opt, OneCycleLR Sched) Make()
        {
            var net = TrajectoryGoldenTests.TinyNet();
            net.LoadStateDict(TrajectoryGoldenTests.Initial(g));
            var opt = new AdamW(net.Parameters(), 2e-2, weightDecay: 1e-4);
            return (net, opt, new OneCycleLR(opt, 2e-2, 25, 0.2));
        }
        var a = Make();
        for (int t = 0; t < 6; t++) TrajectoryGoldenTests.TrainStep(a.Net, a.Opt, a.Sched, x, y);

        var b = Make();
        for (int t = 0; t < 3; t++) TrajectoryGoldenTests.TrainStep(b.Net, b.Opt, b.Sched, x, y);
        var path = Temp(".safetensors");
        try
        {
            Checkpoint.Save(path, b.Net, b.Opt, b.Sched, new Dictionary<string, string> { ["steps"] = "3" });
            var c = Make();
            var (result, meta) = Checkpoint.Load(path, c.Net, c.Opt, c.Sched);
            Assert.True(result.IsExact);
            Assert.Equal("3", meta["steps"]);
            Assert.Equal(3, c.Sched.LastStep);
            for (int t = 3; t < 6; t++) TrajectoryGoldenTests.TrainStep(c.Net, c.Opt, c.Sched, x, y);
            var expected = a.Net.StateDict();
            foreach (var (k, v) in c.Net.StateDict())
            {
                Assert.Equal(expected[k].Data, v.Data);
                Assert.Equal(expected[k].Int64Data, v.Int64Data);
            }
            Assert.Equal(a.Opt.LearningRate, c.Opt.LearningRate);
            // The weights of a checkpoint load directly too.
            var d = TrajectoryGoldenTests.TinyNet();
            Assert.True(Checkpoint.LoadWeights(path, d).IsExact);
            Assert.Equal(b.Net.StateDict()["0.weight"].Data, d.StateDict()["0.weight"].Data);
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
