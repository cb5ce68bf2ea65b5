namespace PoseKD.Training.Events;

/// <summary>How <see cref="ConsoleProgressWriter"/> shows a run.</summary>
public enum ConsoleMode
{
    /// <summary>A live Spectre.Console progress bar (interactive terminal).</summary>
    Live,
    /// <summary>One plain line every few steps (logs, CI, redirected output).</summary>
    Plain,
    /// <summary>Nothing.</summary>
    Quiet,
}
