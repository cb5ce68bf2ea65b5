namespace PoseKD.Training.Events;

/// <summary>A destination of the <see cref="EventStore"/>: console, <c>metrics.jsonl</c>, TensorBoard.</summary>
public interface IEventWriter : IDisposable
{
    /// <summary>Per-step progress (every step).</summary>
    void OnProgress(StepProgress progress) { }

    /// <summary>Scalars for one step (tag → value), e.g. <c>training/loss_cls</c>, <c>ADI/0.10</c>.</summary>
    void OnScalars(long step, IReadOnlyList<KeyValuePair<string, double>> scalars) { }

    /// <summary>A block of text (e.g. an accuracy table) for people.</summary>
    void OnText(long step, string tag, string text) { }

    /// <summary>Writes buffered data out.</summary>
    void Flush() { }
}
