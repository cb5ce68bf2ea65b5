using System.Diagnostics;
using PoseKD.Data.Loading;
using PoseKD.Engine.Optim;
using PoseKD.Engine.Tensors;
using PoseKD.Training.Events;

namespace PoseKD.Training.Loop;

/// <summary>
/// The training loop. <see cref="RunStep"/> is one step: batch → forward and loss terms → backward → clip →
/// AdamW step → schedule step. Everything around it (resume and checkpoints, validation, teacher evaluation,
/// pictures) is an <see cref="ITrainHook"/>; every number goes to one <see cref="EventStore"/>.
/// The loop position (<see cref="Step"/>, <see cref="Epoch"/>, <see cref="BatchInEpoch"/>) plus model, optimiser
/// and scheduler state is the whole run state (step generators derive from the seed, see <see cref="StepContext"/>).
/// </summary>
public sealed class Trainer
{
    private readonly List<ITrainHook> _hooks = [];
    private IEnumerator<Batch>? _batches;
    private readonly Stopwatch _wall = new();
    private readonly BufferArena? _arena;
    private double _dataWaitSeconds, _forwardSeconds, _backwardSeconds, _optimizerSeconds;
    private readonly Queue<(double Time, long Images)> _recent = new();
    private long _images;

    /// <summary>Builds the optimiser and schedule of <paramref name="options"/> over the task's parameters.</summary>
    public Trainer(ITrainingTask task, IBatchSource source, TrainerOptions options, EventStore? events = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxIter < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxIter, "MaxIter must be ≥ 0");
        if (options.LogFreq < 1) throw new ArgumentOutOfRangeException(nameof(options), options.LogFreq, "LogFreq must be ≥ 1");
        Task = task; Source = source; Options = options;
        Events = events ?? new EventStore();
        Optimizer = new AdamW(task.Trainable.Parameters(), options.BaseLr, eps: options.Eps, weightDecay: options.WeightDecay);
        Scheduler = new OneCycleLR(Optimizer, options.BaseLr, options.MaxIter + options.ExtraScheduleSteps, pctStart: options.PctStart, linear: true);
        if (options.ReuseBuffers) _arena = new BufferArena();
    }

    /// <summary>The step buffer pool (null when <see cref="TrainerOptions.ReuseBuffers"/> is off).</summary>
    public BufferArena? Arena => _arena;

    /// <summary>The model-specific forward and losses.</summary>
    public ITrainingTask Task { get; }
    /// <summary>Where batches come from.</summary>
    public IBatchSource Source { get; }
    /// <summary>Run settings.</summary>
    public TrainerOptions Options { get; }
    /// <summary>Event fan-out.</summary>
    public EventStore Events { get; }
    /// <summary>AdamW over the task's parameters.</summary>
    public AdamW Optimizer { get; }
    /// <summary>One-cycle schedule.</summary>
    public OneCycleLR Scheduler { get; }
    /// <summary>The hooks, in order.</summary>
    public IReadOnlyList<ITrainHook> Hooks => _hooks;

    /// <summary>Steps done (the reference's <c>total_steps</c>).</summary>
    public long Step { get; private set; }
    /// <summary>Current epoch of the batch source.</summary>
    public int Epoch { get; private set; }
    /// <summary>Batches of <see cref="Epoch"/> already consumed.</summary>
    public int BatchInEpoch { get; private set; }
    /// <summary>Loss terms of the last step.</summary>
    public LossTerms? LastLosses { get; private set; }
    /// <summary>Global gradient norm of the last step, before clipping.</summary>
    public float LastGradNorm { get; private set; }
    /// <summary>The last step's batch.</summary>
    public Batch? LastBatch { get; private set; }
    /// <summary>Wall seconds spent in steps of this process.</summary>
    public double WallSeconds => _wall.Elapsed.TotalSeconds;
    /// <summary>Seconds the loop waited for the next batch (data not ready), in this process.</summary>
    public double DataWaitSeconds => _dataWaitSeconds;
    /// <summary>Seconds spent in the task's forward pass and loss terms, in this process.</summary>
    public double ForwardSeconds => _forwardSeconds;
    /// <summary>Seconds spent in backward, in this process.</summary>
    public double BackwardSeconds => _backwardSeconds;
    /// <summary>Seconds spent in gradient clipping, AdamW and the schedule, in this process.</summary>
    public double OptimizerSeconds => _optimizerSeconds;
    /// <summary>Training images processed in this process.</summary>
    public long ImagesSeen => _images;
    /// <summary>Cancellation (Ctrl-C) checked between steps.</summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>Adds a hook (runs after the ones already added).</summary>
    public Trainer AddHook(ITrainHook hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        _hooks.Add(hook);
        return this;
    }

    /// <summary>Sets the loop position when resuming (the optimiser and scheduler are restored separately).</summary>
    public void RestorePosition(long step, int epoch, int batchInEpoch)
    {
        if (step < 0 || step > Options.MaxIter) throw new ArgumentOutOfRangeException(nameof(step), step, $"resumed step must be in [0, {Options.MaxIter}]");
        if (epoch < 0 || batchInEpoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch {epoch}, batch {batchInEpoch} must be ≥ 0");
        Step = step; Epoch = epoch; BatchInEpoch = batchInEpoch;
        _batches?.Dispose();
        _batches = null;
    }

    /// <summary>Runs the hooks and the steps until <see cref="TrainerOptions.MaxIter"/>, cancellation or a non-finite loss.</summary>
    public TrainOutcome Run()
    {
        Task.Trainable.Train();
        foreach (var h in _hooks) h.BeforeTrain(this);
        var outcome = TrainOutcome.Completed;
        try
        {
            while (Step < Options.MaxIter)
            {
                if (Cancellation.IsCancellationRequested) { outcome = TrainOutcome.Interrupted; break; }
                RunStep();
                foreach (var h in _hooks) h.AfterStep(this);
            }
        }
        catch (NonFiniteLossException e)
        {
            foreach (var h in _hooks) h.AfterTrain(this, TrainOutcome.NonFiniteLoss);
            Events.Flush();
            string? latest = _hooks.OfType<Checkpoints.CheckpointHook>().FirstOrDefault()?.LatestPath;
            if (latest is null) throw;
            throw new NonFiniteLossException(e.Term, e.Step, e.Value, latest);
        }
        finally
        {
            _batches?.Dispose();
            _batches = null;
        }
        foreach (var h in _hooks) h.AfterTrain(this, outcome);
        Events.Flush();
        return outcome;
    }

    /// <summary>One training step (see the type's summary). A non-finite loss term throws before anything is updated.</summary>
    public void RunStep()
    {
        _wall.Start();
        var batch = NextBatch();
        var context = new StepContext(Step + 1, StepContext.RngFor(Options.Seed, Step + 1));
        double lr = Optimizer.LearningRate;

        var t0 = Stopwatch.GetTimestamp();
        Optimizer.ZeroGrad();
        // The previous step's tensors (graph, gradients, LastLosses) are dead from here on: recycle their buffers.
        _arena?.Reset();
        LossTerms losses;
        long t1, t2;
        using (_arena?.Activate())
        {
            losses = Task.Losses(batch, context);
            t1 = Stopwatch.GetTimestamp();
            _forwardSeconds += Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            if (losses.FirstNonFinite() is { } bad)
            {
                _wall.Stop();
                throw new NonFiniteLossException(bad.Name, context.Step, double.IsFinite(bad.Value) ? bad.Raw : bad.Value, null);
            }
            losses.Total().Backward();
            t2 = Stopwatch.GetTimestamp();
        }
        _backwardSeconds += Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
        LastGradNorm = GradClip.ClipGradNorm(Task.Trainable.Parameters(), Options.GradClip);
        Optimizer.Step();
        Scheduler.Step();
        _optimizerSeconds += Stopwatch.GetElapsedTime(t2).TotalSeconds;

        Step = context.Step;
        LastLosses = losses;
        LastBatch = batch;
        _images += batch.Images.Shape[0];
        _wall.Stop();
        Report(lr, losses, batch.Images.Shape[0]);
    }

    private Batch NextBatch()
    {
        var t0 = Stopwatch.GetTimestamp();
        while (true)
        {
            _batches ??= Source.Epoch(Epoch, BatchInEpoch).GetEnumerator();
            if (_batches.MoveNext()) break;
            _batches.Dispose();
            _batches = null;
            if (BatchInEpoch == 0) throw new InvalidOperationException($"the training source yielded no batch in epoch {Epoch}: is the training list empty?");
            Epoch++;
            BatchInEpoch = 0;
        }
        BatchInEpoch++;
        _dataWaitSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return _batches.Current;
    }

    /// <summary>Share of this process's step wall time spent waiting for data.</summary>
    public double DataWaitShare => WallSeconds > 0 ? DataWaitSeconds / WallSeconds : 0;

    private void Report(double lr, LossTerms losses, int images)
    {
        double now = WallSeconds;
        _recent.Enqueue((now, _images));
        while (_recent.Count > 20) _recent.Dequeue();
        var (t0, i0) = _recent.Peek();
        double ips = now > t0 ? (_images - i0) / (now - t0) : images / Math.Max(now, 1e-9);
        double stepsPerSecond = ips / Math.Max(1, Options.BatchSize);
        double eta = stepsPerSecond > 0 ? (Options.MaxIter - Step) / stepsPerSecond : double.NaN;
        var terms = losses.Terms.Select(t => (t.Name, t.Value)).ToList();
        Events.Progress(new StepProgress(Step, Options.MaxIter, lr, terms, ips, eta, DataWaitShare));
        if (Step % Options.LogFreq != 0 && Step != Options.MaxIter) return;
        var scalars = new List<KeyValuePair<string, double>> { new("training/learning_rate", lr) };
        foreach (var t in losses.Terms) scalars.Add(new("training/" + t.Name, t.Raw));
        if (losses["loss_cls"] is { } c && losses["loss_reg"] is { } r) scalars.Add(new("training/loss_cls_reg", c.Raw + r.Raw));
        scalars.Add(new("training/loss_total", losses.Terms.Where(t => t.Weight != 0).Sum(t => t.Value)));
        scalars.Add(new("training/grad_norm", LastGradNorm));
        scalars.Add(new("perf/images_per_s", ips));
        scalars.Add(new("perf/data_wait_share", DataWaitShare));
        Events.Scalars(Step, scalars);
    }
}
