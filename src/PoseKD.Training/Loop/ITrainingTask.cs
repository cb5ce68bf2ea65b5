using PoseKD.Data.Loading;
using PoseKD.Engine.Nn;

namespace PoseKD.Training.Loop;

/// <summary>
/// The model-specific part of training: the network whose parameters are optimised, and the forward pass plus
/// loss terms of one batch. The <see cref="Trainer"/> does everything else (backward, clipping, optimiser,
/// schedule, hooks, logging). Teacher, student and distillation are tasks.
/// </summary>
public interface ITrainingTask
{
    /// <summary>The trained network (its <c>Parameters()</c> are optimised, its state dict is checkpointed).</summary>
    Module Model { get; }

    /// <summary>Runs the forward pass on <paramref name="batch"/> (model in training mode) and returns the weighted loss terms.</summary>
    LossTerms Losses(Batch batch, StepContext context);
}
