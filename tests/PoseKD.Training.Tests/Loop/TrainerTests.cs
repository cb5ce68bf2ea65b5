using PoseKD.Data.Loading;
using PoseKD.Engine.Serialization;
using PoseKD.Training.Checkpoints;
using PoseKD.Training.Events;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Tests.Loop;

public sealed class TrainerTests(TinyDataset data) : IClassFixture<TinyDataset>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private IBatchSource Source(int workers) => new LoaderBatchSource(new BatchLoader(data.Builder(true), 3, seed: 4, shuffle: true, workers: workers, prefetch: 2));

    private static TrainerOptions Options(int maxIter) => new() { MaxIter = maxIter, BaseLr = 1e-2, Seed = 11, BatchSize = 3, LogFreq = 2 };

    private sealed class ActionHook(Action<Trainer> afterStep) : ITrainHook
    {
        public void AfterStep(Trainer trainer) => afterStep(trainer);
    }

    private sealed class Crash : Exception;

    [Fact]
    public void Run_KilledThenResumedWithWorkers_BitIdenticalToUninterruptedRun()
    {
        const int total = 7;
        // uninterrupted
        var full = new TinyTask();
        var a = new Trainer(full, Source(workers: 2), Options(total));
        a.AddHook(new CheckpointHook(Path.Combine(_dir, "a"), every: 2));
        Assert.Equal(TrainOutcome.Completed, a.Run());

        // killed abruptly after step 5 (latest holds step 4), then the same set-up again in the same directory
        string dirB = Path.Combine(_dir, "b");
        var t1 = new TinyTask();
        var b1 = new Trainer(t1, Source(workers: 3), Options(total));
        b1.AddHook(new CheckpointHook(dirB, every: 2)).AddHook(new ActionHook(t => { if (t.Step == 5) throw new Crash(); }));
        Assert.Throws<Crash>(() => b1.Run());
        var t2 = new TinyTask(seed: 99);   // different initial weights: everything must come from latest
        var b2 = new Trainer(t2, Source(workers: 2), Options(total));
        var hook = new CheckpointHook(dirB, every: 2);
        b2.AddHook(hook);
        Assert.Equal(TrainOutcome.Completed, b2.Run());
        Assert.Equal(4, hook.ResumedFrom);
        Assert.Equal([5L, 6, 7], t2.Steps);

        var wa = full.Model.StateDict();
        var wb = t2.Model.StateDict();
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (var (k, v) in wa)
        {
            if (v.DType == "I64") { Assert.Equal(v.Int64Data, wb[k].Int64Data); continue; }
            Assert.True(v.Data.AsSpan().SequenceEqual(wb[k].Data), $"{k} differs after resume");
        }
        var oa = a.Optimizer.StateDict();
        var ob = b2.Optimizer.StateDict();
        foreach (var (k, v) in oa.Where(kv => kv.Value.DType == "F32"))
            Assert.True(v.Data.AsSpan().SequenceEqual(ob[k].Data), $"optimizer {k} differs after resume");
        Assert.Equal(a.Optimizer.LearningRate, b2.Optimizer.LearningRate);
        // final weights written, loadable, equal
        var final = Checkpoint.ReadWeights(Path.Combine(dirB, "final.safetensors"));
        Assert.True(final["0.weight"].Data.AsSpan().SequenceEqual(wa["0.weight"].Data));
    }

    [Fact]
    public void Run_FewSteps_LowersTheLossAndFollowsTheReferenceSchedule()
    {
        var task = new TinyTask();
        var store = new EventStore();
        var tr = new Trainer(task, Source(1), Options(12) with { LogFreq = 1 }, store);
        double first = double.NaN;
        tr.AddHook(new ActionHook(t => { if (t.Step == 1) first = t.LastLosses!["loss_a"]!.Value; }));
        tr.Run();
        Assert.True(tr.LastLosses!["loss_a"]!.Value < first, $"loss_a {tr.LastLosses!["loss_a"]!.Value} not below {first}");
        var lr = store.Series("training/learning_rate");
        Assert.Equal(12, lr.Count);
        // torch OneCycleLR(max 1e-2, total 112, pct 0.05, linear): starts at max/25, rises for 0.05·112 − 1 steps
        Assert.Equal(1e-2 / 25, lr[0].Value, 12);
        Assert.True(lr[5].Value > lr[1].Value);
        Assert.Equal(12, tr.Scheduler.LastStep);
        Assert.Equal(112, tr.Scheduler.Schedule.TotalSteps);
        Assert.Contains(store.History, h => h.Tag == "training/loss_log_only");
        Assert.InRange(tr.DataWaitShare, 0, 1);
    }

    [Fact]
    public void Run_NaNLoss_StopsNamingTermAndStepAndKeepsLastGoodLatest()
    {
        var task = new TinyTask { PoisonStep = 3 };
        var tr = new Trainer(task, Source(2), Options(10));
        var hook = new CheckpointHook(_dir, every: 0);
        tr.AddHook(hook);
        var e = Assert.Throws<NonFiniteLossException>(() => tr.Run());
        Assert.Equal("loss_b", e.Term);
        Assert.Equal(3, e.Step);
        Assert.Contains("'loss_b'", e.Message);
        Assert.Contains("step 3", e.Message);
        Assert.Contains(hook.LatestPath, e.Message);
        var (_, meta) = Checkpoint.Load(hook.LatestPath, new TinyTask().Model);
        Assert.Equal("2", meta[CheckpointHook.StepKey]);
        Assert.False(File.Exists(hook.FinalPath));
    }

    [Fact]
    public void Run_Cancelled_WritesLatestAndReportsInterrupted()
    {
        using var cts = new CancellationTokenSource();
        var tr = new Trainer(new TinyTask(), Source(1), Options(10)) { Cancellation = cts.Token };
        var hook = new CheckpointHook(_dir, every: 0);
        tr.AddHook(hook).AddHook(new ActionHook(t => { if (t.Step == 2) cts.Cancel(); }));
        Assert.Equal(TrainOutcome.Interrupted, tr.Run());
        var (_, meta) = Checkpoint.Load(hook.LatestPath, new TinyTask().Model);
        Assert.Equal("2", meta[CheckpointHook.StepKey]);
    }

    [Fact]
    public void Run_EmptySource_ThrowsBeforeAnyStep()
    {
        var tr = new Trainer(new TinyTask(), new EmptySource(), Options(3));
        var e = Assert.Throws<InvalidOperationException>(() => tr.Run());
        Assert.Contains("empty", e.Message);
    }

    private sealed class EmptySource : IBatchSource
    {
        public IEnumerable<Batch> Epoch(int epoch, int skip) => [];
    }
}
