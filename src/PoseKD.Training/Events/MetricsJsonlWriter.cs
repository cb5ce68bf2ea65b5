using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PoseKD.Training.Events;

/// <summary>
/// Appends one JSON object per scalar batch to <c>metrics.jsonl</c>: <c>{"step": 10, "time": …, "training/loss_cls": …}</c>,
/// and one per text block (<c>{"step": …, "text": tag, "value": …}</c>). Appending keeps the history of a resumed run.
/// </summary>
public sealed class MetricsJsonlWriter : IEventWriter
{
    private readonly StreamWriter _out;

    /// <summary>Opens (appends to) <paramref name="path"/>.</summary>
    public MetricsJsonlWriter(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _out = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void OnScalars(long step, IReadOnlyList<KeyValuePair<string, double>> scalars)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("step", step);
            w.WriteNumber("time", Math.Round(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, 3));
            foreach (var (tag, value) in scalars)
            {
                if (double.IsFinite(value)) w.WriteNumber(tag, value);
                else w.WriteString(tag, value.ToString(CultureInfo.InvariantCulture));
            }
            w.WriteEndObject();
        }
        _out.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    /// <inheritdoc />
    public void OnText(long step, string tag, string text)
        => _out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = step, ["text"] = tag, ["value"] = text }));

    /// <inheritdoc />
    public void Flush() => _out.Flush();

    /// <inheritdoc />
    public void Dispose() => _out.Dispose();
}
