using PoseKD.Engine.Serialization;

namespace PoseKD.Engine.Optim;

/// <summary>
/// Drives an optimizer's learning rate along a <see cref="OneCycleSchedule"/> like
/// <c>torch.optim.lr_scheduler.OneCycleLR</c> (cycle_momentum = False): construction sets step 0's
/// rate, each <see cref="Step"/> (called after <c>optimizer.Step()</c>) advances one step.
/// State dict: <c>last_epoch</c> (I64), and <c>total_steps</c>, <c>max_lr</c> (checked on load).
/// </summary>
public sealed class OneCycleLR
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/> and sets its rate to step 0's.</summary>
    public OneCycleLR(Optimizer optimizer, OneCycleSchedule schedule)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        LastStep = 0;
        Optimizer.LearningRate = Schedule.LearningRate(0);
    }

    /// <summary>Convenience constructor with torch's parameter names (reference: pct 0.05, linear).</summary>
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, bool linear = true, double divFactor = 25, double finalDivFactor = 1e4)
        : this(optimizer, new OneCycleSchedule(maxLr, totalSteps, pctStart, linear, divFactor, finalDivFactor)) { }

    /// <summary>The optimizer whose rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning-rate curve.</summary>
    public OneCycleSchedule Schedule { get; }

    /// <summary>Scheduler steps taken (torch's <c>last_epoch</c>).</summary>
    public long LastStep { get; private set; }

    /// <summary>Advances one step and sets the optimizer's learning rate; throws past <c>total_steps</c> like torch.</summary>
    public void Step()
    {
        Optimizer.LearningRate = Schedule.LearningRate(LastStep + 1);
        LastStep++;
    }

    /// <summary>The scheduler state.</summary>
    public Dictionary<string, NamedArray> StateDict() => new(StringComparer.Ordinal)
    {
        ["last_epoch"] = NamedArray.Int64Scalar(LastStep),
        ["total_steps"] = NamedArray.Int64Scalar(Schedule.TotalSteps),
        ["max_lr"] = NamedArray.Float64Scalar(Schedule.MaxLr),
    };

    /// <summary>Restores <see cref="LastStep"/> (and the optimizer's rate); the schedule must be the same.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, NamedArray> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        NamedArray Get(string k) => state.TryGetValue(k, out var a) ? a : throw new ArgumentException($"scheduler state has no entry '{k}'");
        long total = Get("total_steps").Int64Data![0];
        double maxLr = Get("max_lr").Float64Data?[0] ?? Get("max_lr").Data[0];
        if (total != Schedule.TotalSteps || maxLr != Schedule.MaxLr)
            throw new ArgumentException($"scheduler state is for total_steps {total}, max_lr {maxLr}; this scheduler has {Schedule.TotalSteps}, {Schedule.MaxLr}");
        long last = Get("last_epoch").Int64Data![0];
        Optimizer.LearningRate = Schedule.LearningRate(last);
        LastStep = last;
    }
}
