using PoseKD.Engine.Nn;
using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tests.Optim;

namespace PoseKD.Engine.Tests.Serialization;

/// <summary>A training run killed after a checkpoint resumes bit-exactly (model, AdamW, one-cycle state).</summary>
[Collection(SerialTestCollection.Name)]
public class CheckpointResumeTests
{
    private static string Temp(string ext) => Path.Combine(Path.GetTempPath(), $"posekd-ckpt-{Guid.NewGuid():N}{ext}");

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
}
