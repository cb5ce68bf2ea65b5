using System.Globalization;
using System.Text;
using Spectre.Console;

namespace PoseKD.Training.Events;

/// <summary>
/// Console view of the event store: in <see cref="ConsoleMode.Live"/> one Spectre.Console progress bar with
/// step/total, learning rate, each loss term, images/s and ETA (refreshed from a background thread); in
/// <see cref="ConsoleMode.Plain"/> the same as a line every <see cref="PlainEvery"/> steps; text blocks (accuracy
/// tables) are printed in both; <see cref="ConsoleMode.Quiet"/> prints nothing.
/// </summary>
public sealed class ConsoleProgressWriter : IEventWriter
{
    private readonly object _lock = new();
    private StepProgress? _latest;
    private Thread? _live;
    private volatile bool _done;
    private readonly TextWriter _plain;

    /// <summary>Creates the writer in <paramref name="mode"/>; plain lines go to <paramref name="plainOut"/> (default: standard output).</summary>
    public ConsoleProgressWriter(ConsoleMode mode, string title = "training", int plainEvery = 10, TextWriter? plainOut = null)
    {
        if (plainEvery < 1) throw new ArgumentOutOfRangeException(nameof(plainEvery), plainEvery, "expected ≥ 1");
        Mode = mode; Title = title; PlainEvery = plainEvery;
        _plain = plainOut ?? Console.Out;
    }

    /// <summary>Live when standard output is an interactive terminal, plain otherwise, quiet when asked.</summary>
    public static ConsoleMode DetectMode(bool quiet)
        => quiet ? ConsoleMode.Quiet
            : !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive ? ConsoleMode.Live : ConsoleMode.Plain;

    /// <summary>The display mode.</summary>
    public ConsoleMode Mode { get; }
    /// <summary>Label of the progress bar.</summary>
    public string Title { get; }
    /// <summary>Steps between two plain lines.</summary>
    public int PlainEvery { get; }

    /// <summary>The progress line of <paramref name="p"/>: <c>step 120/10000 lr 0.000980 loss_cls 0.0123 … 34.1 img/s ETA 1:02:03</c>.</summary>
    public static string Describe(StepProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"step {p.Step}/{p.Total} lr {p.LearningRate:0.000000}");
        foreach (var (name, value) in p.Terms) sb.Append(inv, $" {name} {value:0.0000}");
        sb.Append(inv, $" | {p.ImagesPerSecond:0.0} img/s, data wait {100 * p.DataWaitShare:0.0}%");
        if (double.IsFinite(p.EtaSeconds)) sb.Append(" | ETA ").Append(TimeSpan.FromSeconds(Math.Round(p.EtaSeconds)).ToString("c", inv));
        return sb.ToString();
    }

    /// <inheritdoc />
    public void OnProgress(StepProgress progress)
    {
        switch (Mode)
        {
            case ConsoleMode.Quiet: return;
            case ConsoleMode.Plain:
                if (progress.Step % PlainEvery == 0 || progress.Step == progress.Total || progress.Step == 1) _plain.WriteLine(Describe(progress));
                return;
            default:
                lock (_lock) _latest = progress;
                if (_live is null) StartLive();
                return;
        }
    }

    /// <inheritdoc />
    public void OnText(long step, string tag, string text)
    {
        if (Mode == ConsoleMode.Quiet) return;
        if (Mode == ConsoleMode.Plain) { _plain.WriteLine($"[{tag} @ step {step}]"); _plain.WriteLine(text); return; }
        AnsiConsole.WriteLine($"[{tag} @ step {step}]");
        AnsiConsole.WriteLine(text);
    }

    private void StartLive()
    {
        _live = new Thread(() =>
        {
            AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Title, autoStart: true);
                    while (true)
                    {
                        StepProgress? p;
                        lock (_lock) p = _latest;
                        if (p is not null)
                        {
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = p.Step;
                            task.Description = Markup.Escape(Describe(p));
                        }
                        ctx.Refresh();
                        if (_done) break;
                        Thread.Sleep(250);
                    }
                });
        }) { IsBackground = true, Name = "posekd-progress" };
        _live.Start();
    }

    /// <inheritdoc />
    public void Flush() => _plain.Flush();

    /// <inheritdoc />
    public void Dispose()
    {
        _done = true;
        _live?.Join(TimeSpan.FromSeconds(2));
    }
}
