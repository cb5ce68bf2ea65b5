using PoseKD.Engine.Nn;
using PoseKD.Model.Distillation;
using PoseKD.Model.Network;

namespace PoseKD.Training.Pose;

/// <summary>
/// The trainable modules of a feature-distillation run, for the optimiser and <c>latest</c>: the student
/// (<c>student.*</c>) and the feature-imitation adapters (<c>feature_adapters.*</c>).
/// </summary>
public sealed class TrainableSet : Module
{
    /// <summary>Groups <paramref name="student"/> and <paramref name="adapters"/>.</summary>
    public TrainableSet(PoseNet student, FeatureImitationLoss adapters)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(adapters);
        Student = RegisterModule("student", student);
        Adapters = RegisterModule("feature_adapters", adapters);
    }

    /// <summary>The student.</summary>
    public PoseNet Student { get; }

    /// <summary>The adapters.</summary>
    public FeatureImitationLoss Adapters { get; }
}
