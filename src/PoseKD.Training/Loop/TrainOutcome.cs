namespace PoseKD.Training.Loop;

/// <summary>How a training run ended.</summary>
public enum TrainOutcome
{
    /// <summary>All steps done.</summary>
    Completed,
    /// <summary>Cancelled (Ctrl-C) between two steps.</summary>
    Interrupted,
    /// <summary>A loss term was NaN or infinite; the step was not applied.</summary>
    NonFiniteLoss,
}
