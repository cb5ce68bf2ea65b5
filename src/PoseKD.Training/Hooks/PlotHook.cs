using PoseKD.Training.Loop;
using PoseKD.Training.Visualization;

namespace PoseKD.Training.Hooks;

/// <summary>At the end of a run, draws the loss curves of the event store's history to <c>loss_curves.png</c>.</summary>
public sealed class PlotHook : ITrainHook
{
    /// <summary>Draws into <paramref name="workDir"/>.</summary>
    public PlotHook(string workDir)
    {
        ArgumentNullException.ThrowIfNull(workDir);
        WorkDir = workDir;
    }

    /// <summary>The work directory.</summary>
    public string WorkDir { get; }

    /// <summary>Path of the loss-curve picture.</summary>
    public string LossCurvesPath => Path.Combine(WorkDir, "loss_curves.png");

    /// <inheritdoc />
    public void AfterTrain(Trainer trainer, TrainOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var tags = trainer.LastLosses?.Terms.Select(t => "training/" + t.Name).ToList() ?? [];
        var series = tags.Select(t => (t, trainer.Events.Series(t))).Where(s => s.Item2.Count > 0).ToList();
        if (series.Count > 0) TrainingPlots.LossCurves(LossCurvesPath, series);
    }
}
