using PoseKD.Data.Loading;
using PoseKD.Training.Config;
using PoseKD.Training.Loop;
using PoseKD.Training.Pose;
using PoseKD.Training.Runs;

namespace PoseKD.Training.Tests.Pose;

public sealed class PoseTrainingTaskTests(TinyDataset data) : IClassFixture<TinyDataset>
{
    private sealed class SameBatch(Batch batch) : IBatchSource
    {
        public IEnumerable<Batch> Epoch(int epoch, int skip) => Enumerable.Repeat(batch, 4).Skip(skip);
    }

    [Fact]
    public void Train_FewStepsOnOneBatch_LowersEveryLossTermOnTheSamePositives()
    {
        var cfg = PoseKDConfig.Load(data.Summary.Configs[0]).WithBackbone("darknet_tiny_h");
        cfg = cfg with { Input = cfg.Input with { InputRes = 64 } };
        var loader = new BatchLoader(new PoseKD.Data.Transforms.SampleBuilder(DatasetSetup.Open(cfg, "TRAIN"), ConfigMapping.ToTransformOptions(cfg), training: true), 4, seed: 1, shuffle: true, workers: 2);
        var batch = loader.Epoch(0).First();
        var net = TrainRun.BuildNetwork(cfg);
        var task = new PoseTrainingTask(net, ConfigMapping.ToHeadOptions(cfg), loader.Builder.Dataset.Keypoints!);
        // the same positives before and after: a fixed step context
        var probe = new StepContext(1, StepContext.RngFor(5, 1));
        var before = task.Losses(batch, probe).Terms.ToDictionary(t => t.Name, t => t.Value);
        net.ZeroGrad();
        var trainer = new Trainer(task, new SameBatch(batch), new TrainerOptions { MaxIter = 12, BaseLr = 2e-3, PctStart = 0.3, ExtraScheduleSteps = 0, BatchSize = 4 });
        Assert.Equal(TrainOutcome.Completed, trainer.Run());
        var after = task.Losses(batch, probe).Terms.ToDictionary(t => t.Name, t => t.Value);
        Assert.Equal(["loss_cls", "loss_reg"], before.Keys);
        foreach (var (name, v) in before)
            Assert.True(after[name] < v, $"{name}: {after[name]} after 12 steps, {v} before");
    }

    [Fact]
    public void Train_WithStepBufferArena_BitIdenticalToFreshAllocations()
    {
        // The arena recycles every large buffer of a step at the next step; any tensor used after its step (or a
        // kernel that relied on zeroed memory) would change the weights. With POSEKD_ARENA_POISON=1 (./run test)
        // recycled buffers are NaN, so such a use cannot hide.
        var cfg = PoseKDConfig.Load(data.Summary.Configs[0]).WithBackbone("darknet_tiny_h");
        cfg = cfg with { Input = cfg.Input with { InputRes = 64 } };
        var loader = new BatchLoader(new PoseKD.Data.Transforms.SampleBuilder(DatasetSetup.Open(cfg, "TRAIN"), ConfigMapping.ToTransformOptions(cfg), training: true), 4, seed: 3, shuffle: true, workers: 1);
        var batch = loader.Epoch(0).First();
        float[][] Run(bool reuse)
        {
            var net = TrainRun.BuildNetwork(cfg);
            var task = new PoseTrainingTask(net, ConfigMapping.ToHeadOptions(cfg), loader.Builder.Dataset.Keypoints!);
            var trainer = new Trainer(task, new SameBatch(batch), new TrainerOptions { MaxIter = 4, BaseLr = 2e-3, PctStart = 0.3, ExtraScheduleSteps = 0, BatchSize = 4, ReuseBuffers = reuse });
            Assert.Equal(TrainOutcome.Completed, trainer.Run());
            if (reuse)
            {
                Assert.NotNull(trainer.Arena);
                Assert.True(trainer.Arena!.ServedCount > 0, "the arena served nothing: the step did not allocate through it");
            }
            return net.StateDict().Values.Select(t => (float[])t.Data.Clone()).ToArray();
        }
        var plain = Run(reuse: false);
        var pooled = Run(reuse: true);
        Assert.Equal(plain.Length, pooled.Length);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], pooled[i]);
    }
}
