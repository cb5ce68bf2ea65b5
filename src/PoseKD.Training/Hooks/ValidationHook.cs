using PoseKD.Data.Loading;
using PoseKD.Model.Network;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Hooks;

/// <summary>
/// Validation every <see cref="Every"/> steps and at the end of a completed run (the reference's <c>VAL_FREQ</c>):
/// evaluates the network on the validation batches, prints the accuracy table through the event store and
/// records <c>ADI/…</c>, <c>REP/…</c>, <c>AUC/…</c> scalars. The network returns to training mode afterwards.
/// </summary>
public sealed class ValidationHook : ITrainHook
{
    private readonly Func<IEnumerable<Batch>> _batches;

    /// <summary>Validates <paramref name="network"/> on <paramref name="batches"/> every <paramref name="every"/> steps (0 = only at the end).</summary>
    public ValidationHook(PoseNet network, PoseTester tester, Func<IEnumerable<Batch>> batches, int every)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(tester);
        ArgumentNullException.ThrowIfNull(batches);
        if (every < 0) throw new ArgumentOutOfRangeException(nameof(every), every, "expected ≥ 0");
        Network = network; Tester = tester; _batches = batches; Every = every;
    }

    /// <summary>The validated network.</summary>
    public PoseNet Network { get; }
    /// <summary>The evaluator.</summary>
    public PoseTester Tester { get; }
    /// <summary>Steps between validations.</summary>
    public int Every { get; }
    /// <summary>The last validation's result.</summary>
    public EvaluationResult? Last { get; private set; }
    /// <summary>Step of <see cref="Last"/>.</summary>
    public long LastStep { get; private set; } = -1;

    /// <summary>Validates now and reports to the trainer's event store.</summary>
    public EvaluationResult Validate(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var result = Tester.Evaluate(Network, _batches());
        Last = result; LastStep = trainer.Step;
        trainer.Events.Text(trainer.Step, "validation", EvaluationWriter.Describe(result));
        trainer.Events.Scalars(trainer.Step, EvaluationWriter.Scalars(result));
        return result;
    }

    /// <inheritdoc />
    public void AfterStep(Trainer trainer)
    {
        if (Every > 0 && trainer.Step % Every == 0 && trainer.Step < trainer.Options.MaxIter) Validate(trainer);
    }

    /// <inheritdoc />
    public void AfterTrain(Trainer trainer, TrainOutcome outcome)
    {
        if (outcome == TrainOutcome.Completed) Validate(trainer);
    }
}
