namespace PoseKD.Training.Loop;

/// <summary>A loss term became NaN or infinite; the message names the term and the step.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception for term <paramref name="term"/> at step <paramref name="step"/>, pointing to the last good checkpoint.</summary>
    public NonFiniteLossException(string term, long step, double value, string? latestPath)
        : base($"loss term '{term}' is {value} at step {step}; training stopped" +
               (latestPath is null ? "" : $", the last good state is in {latestPath}"))
    {
        Term = term; Step = step; Value = value; LatestPath = latestPath;
    }

    /// <summary>The term's value (NaN or ±∞).</summary>
    public double Value { get; }

    /// <summary>The checkpoint holding the last good state, when one was written.</summary>
    public string? LatestPath { get; }

    /// <summary>The offending term.</summary>
    public string Term { get; }

    /// <summary>The step whose loss was not finite (not applied).</summary>
    public long Step { get; }
}
