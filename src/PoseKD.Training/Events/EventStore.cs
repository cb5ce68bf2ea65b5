namespace PoseKD.Training.Events;

/// <summary>
/// The one place training and evaluation report to; it fans every event out to its writers (console progress,
/// <see cref="MetricsJsonlWriter"/>, <see cref="TensorBoardWriter"/>). It also keeps every scalar in memory
/// (<see cref="History"/>) for the end-of-run plots. Thread-safe.
/// </summary>
public sealed class EventStore : IDisposable
{
    private readonly List<IEventWriter> _writers = [];
    private readonly List<(long Step, string Tag, double Value)> _history = [];
    private readonly object _lock = new();

    /// <summary>Creates a store with the given writers.</summary>
    public EventStore(params IEventWriter[] writers)
    {
        foreach (var w in writers) Add(w);
    }

    /// <summary>Adds a writer.</summary>
    public EventStore Add(IEventWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock) _writers.Add(writer);
        return this;
    }

    /// <summary>Every scalar recorded so far, in order.</summary>
    public IReadOnlyList<(long Step, string Tag, double Value)> History { get { lock (_lock) return _history.ToList(); } }

    /// <summary>The (step, value) series of one tag.</summary>
    public IReadOnlyList<(long Step, double Value)> Series(string tag)
    {
        lock (_lock) return _history.Where(h => h.Tag == tag).Select(h => (h.Step, h.Value)).ToList();
    }

    /// <summary>Reports step progress.</summary>
    public void Progress(StepProgress progress)
    {
        lock (_lock) foreach (var w in _writers) w.OnProgress(progress);
    }

    /// <summary>Records scalars of one step.</summary>
    public void Scalars(long step, IReadOnlyList<KeyValuePair<string, double>> scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        lock (_lock)
        {
            foreach (var (tag, value) in scalars) _history.Add((step, tag, value));
            foreach (var w in _writers) w.OnScalars(step, scalars);
        }
    }

    /// <summary>Reports a block of text.</summary>
    public void Text(long step, string tag, string text)
    {
        lock (_lock) foreach (var w in _writers) w.OnText(step, tag, text);
    }

    /// <summary>Flushes every writer.</summary>
    public void Flush()
    {
        lock (_lock) foreach (var w in _writers) w.Flush();
    }

    /// <summary>Flushes and disposes every writer.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var w in _writers) { w.Flush(); w.Dispose(); }
            _writers.Clear();
        }
    }
}
