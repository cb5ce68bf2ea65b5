namespace PoseKD.Engine.Optim;

/// <summary>
/// The learning-rate curve of <c>torch.optim.lr_scheduler.OneCycleLR</c> (torch 1.13, two phases,
/// no momentum cycling): initial = max/div, min = initial/finalDiv; phase 1 ends at step
/// e1 = pct·total − 1 (a float, as torch computes it), phase 2 at e2 = total − 1;
/// lr(s) = anneal(initial, max, s/e1) for s ≤ e1, else anneal(max, min, (s − e1)/(e2 − e1));
/// linear anneal(a, b, x) = (b − a)·x + a, cosine anneal(a, b, x) = b + (a − b)/2·(cos(πx) + 1).
/// Valid for 0 ≤ s ≤ total (torch raises beyond that).
/// </summary>
public sealed class OneCycleSchedule
{
    /// <summary>Creates the schedule; defaults are torch's except the anneal strategy (linear, as the reference uses).</summary>
    public OneCycleSchedule(double maxLr, int totalSteps, double pctStart = 0.3, bool linear = true, double divFactor = 25, double finalDivFactor = 1e4)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "expected a positive total step count");
        if (pctStart < 0 || pctStart > 1) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "expected a value in [0, 1]");
        MaxLr = maxLr; TotalSteps = totalSteps; PctStart = pctStart; Linear = linear; DivFactor = divFactor; FinalDivFactor = finalDivFactor;
        InitialLr = maxLr / divFactor;
        MinLr = InitialLr / finalDivFactor;
        WarmupEndStep = pctStart * totalSteps - 1;
        FinalStep = totalSteps - 1;
    }

    /// <summary>Peak learning rate.</summary>
    public double MaxLr { get; }
    /// <summary>Number of scheduler steps of the cycle.</summary>
    public int TotalSteps { get; }
    /// <summary>Fraction of the cycle spent increasing the rate.</summary>
    public double PctStart { get; }
    /// <summary>Linear (true) or cosine (false) annealing.</summary>
    public bool Linear { get; }
    /// <summary>initial = max / DivFactor.</summary>
    public double DivFactor { get; }
    /// <summary>min = initial / FinalDivFactor.</summary>
    public double FinalDivFactor { get; }
    /// <summary>Rate at step 0.</summary>
    public double InitialLr { get; }
    /// <summary>Rate at the last step.</summary>
    public double MinLr { get; }
    /// <summary>End of the warm-up phase, pct·total − 1.</summary>
    public double WarmupEndStep { get; }
    /// <summary>End of the annealing phase, total − 1.</summary>
    public double FinalStep { get; }

    /// <summary>Learning rate at scheduler step <paramref name="step"/> (torch's <c>last_epoch</c>).</summary>
    public double LearningRate(long step)
    {
        if (step < 0 || step > TotalSteps)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"one-cycle schedule has {TotalSteps} steps (torch: 'Tried to step {step + 1} times')");
        if (step <= WarmupEndStep)
            return Anneal(InitialLr, MaxLr, (step - 0.0) / (WarmupEndStep - 0.0));
        return Anneal(MaxLr, MinLr, (step - WarmupEndStep) / (FinalStep - WarmupEndStep));
    }

    private double Anneal(double start, double end, double pct)
        => Linear ? (end - start) * pct + start : end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1);
}
