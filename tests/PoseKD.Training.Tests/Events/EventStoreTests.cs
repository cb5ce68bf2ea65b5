using System.Text.Json;
using PoseKD.Training.Events;

namespace PoseKD.Training.Tests.Events;

public sealed class EventStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-events-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Scalars_FanOutToJsonlAndPlainConsoleAndHistory()
    {
        var console = new StringWriter();
        string jsonl = Path.Combine(_dir, "metrics.jsonl");
        using (var store = new EventStore(new MetricsJsonlWriter(jsonl), new ConsoleProgressWriter(ConsoleMode.Plain, plainEvery: 2, plainOut: console)))
        {
            store.Progress(new StepProgress(1, 4, 1e-3, [("loss_cls", 0.5)], 12.5, 30, 0.01));
            store.Progress(new StepProgress(3, 4, 1e-3, [("loss_cls", 0.4)], 12.5, 10, 0.01));
            store.Progress(new StepProgress(4, 4, 1e-3, [("loss_cls", 0.3)], 12.5, 0, 0.01));
            store.Scalars(4, [new("training/loss_cls", 0.3), new("bad", double.NaN)]);
            store.Text(4, "validation", "ADI table");
            Assert.Equal([(4L, 0.3)], store.Series("training/loss_cls"));
        }
        var lines = File.ReadAllLines(jsonl);
        Assert.Equal(2, lines.Length);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal(4, doc.RootElement.GetProperty("step").GetInt64());
        Assert.Equal(0.3, doc.RootElement.GetProperty("training/loss_cls").GetDouble());
        Assert.Equal("NaN", doc.RootElement.GetProperty("bad").GetString());
        string text = console.ToString();
        Assert.Contains("step 1/4", text);
        Assert.DoesNotContain("step 3/4", text);
        Assert.Contains("step 4/4 lr 0.001000 loss_cls 0.3000", text);
        Assert.Contains("ADI table", text);
    }

    [Fact]
    public void Quiet_PrintsNothing()
    {
        var console = new StringWriter();
        using (var w = new ConsoleProgressWriter(ConsoleMode.Quiet, plainOut: console))
        {
            w.OnProgress(new StepProgress(1, 1, 1e-3, [], 1, 0, 0));
            w.OnText(1, "x", "y");
        }
        Assert.Equal("", console.ToString());
    }
}
