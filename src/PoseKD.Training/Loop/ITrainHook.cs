namespace PoseKD.Training.Loop;

/// <summary>
/// Something that happens around the training steps: schedule-independent work such as checkpointing,
/// validation, teacher evaluation and pictures. Hooks run in the order they were added.
/// </summary>
public interface ITrainHook
{
    /// <summary>Before the first step (after construction; a checkpoint hook resumes here).</summary>
    void BeforeTrain(Trainer trainer) { }

    /// <summary>After every completed step (<see cref="Trainer.Step"/> is the step just done).</summary>
    void AfterStep(Trainer trainer) { }

    /// <summary>When training ends, however it ends; the model holds the last good weights.</summary>
    void AfterTrain(Trainer trainer, TrainOutcome outcome) { }
}
