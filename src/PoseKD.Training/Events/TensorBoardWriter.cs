using Google.Protobuf;

namespace PoseKD.Training.Events;

/// <summary>
/// Writes scalars as a TensorBoard event file (<c>events.out.tfevents.&lt;time&gt;.&lt;host&gt;</c>): TFRecord-framed
/// <c>tensorflow.Event</c> protobufs, the first holding <c>file_version = "brain.Event:2"</c>, the others
/// <c>wall_time</c> (field 1, double), <c>step</c> (2, int64) and <c>summary</c> (5) with one
/// <c>Summary.Value</c> (field 1) per scalar: <c>tag</c> (1, string), <c>simple_value</c> (2, float) — the field
/// numbers of TensorFlow's public event.proto / summary.proto. Each process writes its own file; TensorBoard
/// merges the files of a directory, so a resumed run continues its curves.
/// <para>Validation accuracies are written the way the reference's <c>logger.add_scalars</c> writes them, so its
/// TensorBoard layout reads the same: <c>ADI/&lt;class&gt;/0.10</c> becomes tag <c>ADI/class_00</c> (or
/// <c>ADI/all_class</c>) with key <c>ADI.10d</c>, <c>REP/&lt;class&gt;/05px</c> tag <c>REP/class_00</c> key
/// <c>REP05px</c>; each (tag, key) goes to the sub-folder <c>&lt;tag with / as _&gt;_&lt;key&gt;</c> of the log
/// directory, as tensorboardX does, so TensorBoard draws one chart per tag with one line per threshold.
/// Every other scalar stays in the main file under its own tag.</para>
/// </summary>
public sealed class TensorBoardWriter : IEventWriter
{
    private readonly FileStream _out;
    private readonly string _logDir;
    private readonly Dictionary<string, FileStream> _groups = [];

    /// <summary>Creates a new event file in <paramref name="logDir"/>.</summary>
    public TensorBoardWriter(string logDir)
    {
        ArgumentNullException.ThrowIfNull(logDir);
        Directory.CreateDirectory(logDir);
        _logDir = logDir;
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        string host = Environment.MachineName.Length > 0 ? Environment.MachineName : "localhost";
        string name = $"events.out.tfevents.{(long)now}.{host}.{Environment.ProcessId}";
        Path = System.IO.Path.Combine(logDir, name);
        for (int i = 1; File.Exists(Path); i++) Path = System.IO.Path.Combine(logDir, $"{name}.{i}");
        _out = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        TfRecord.Write(_out, EncodeFileVersion(now));
        _out.Flush();
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    /// <summary>The Event message carrying the file version.</summary>
    public static byte[] EncodeFileVersion(double wallTime)
    {
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        o.WriteTag(1, WireFormat.WireType.Fixed64); o.WriteDouble(wallTime);
        o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteString("brain.Event:2");
        o.Flush();
        return ms.ToArray();
    }

    /// <summary>The Event message carrying <paramref name="scalars"/> at <paramref name="step"/>.</summary>
    public static byte[] EncodeScalars(double wallTime, long step, IReadOnlyList<KeyValuePair<string, double>> scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        using var summary = new MemoryStream();
        var s = new CodedOutputStream(summary);
        foreach (var (tag, value) in scalars)
        {
            using var v = new MemoryStream();
            var vo = new CodedOutputStream(v);
            vo.WriteTag(1, WireFormat.WireType.LengthDelimited); vo.WriteString(tag);
            vo.WriteTag(2, WireFormat.WireType.Fixed32); vo.WriteFloat((float)value);
            vo.Flush();
            s.WriteTag(1, WireFormat.WireType.LengthDelimited); s.WriteBytes(ByteString.CopyFrom(v.ToArray()));
        }
        s.Flush();
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        o.WriteTag(1, WireFormat.WireType.Fixed64); o.WriteDouble(wallTime);
        o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt64(step);
        o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(summary.ToArray()));
        o.Flush();
        return ms.ToArray();
    }

    /// <inheritdoc />
    public void OnScalars(long step, IReadOnlyList<KeyValuePair<string, double>> scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var plain = new List<KeyValuePair<string, double>>();
        foreach (var kv in scalars)
        {
            if (Grouped(kv.Key) is not { } g) { plain.Add(kv); continue; }
            var file = Group(g.Folder);
            TfRecord.Write(file, EncodeScalars(now, step, [new(g.Tag, kv.Value)]));
            file.Flush();
        }
        if (plain.Count == 0) return;
        TfRecord.Write(_out, EncodeScalars(now, step, plain));
        _out.Flush();
    }

    /// <summary>
    /// The reference's <c>add_scalars</c> form of a validation scalar: (tag, sub-folder), or null for a plain scalar.
    /// <c>[prefix/]ADI/cls_3/0.10</c> → (<c>[prefix/]ADI/class_03</c>, <c>…ADI_class_03_ADI.10d</c>).
    /// </summary>
    public static (string Tag, string Folder)? Grouped(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var parts = tag.Split('/');
        if (parts.Length < 3) return null;
        string metric = parts[^3], label = parts[^2], threshold = parts[^1];
        string prefix = string.Concat(parts[..^3].Select(p => p + "/"));
        string? cls = label == "all_class" ? label
            : label.StartsWith("cls_", StringComparison.Ordinal) && int.TryParse(label[4..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id) ? $"class_{id:D2}"
            : null;
        if (cls is null) return null;
        string? key = metric switch
        {
            "ADI" when threshold.StartsWith("0.", StringComparison.Ordinal) => "ADI" + threshold[1..] + "d",
            "REP" when threshold.EndsWith("px", StringComparison.Ordinal) => "REP" + threshold,
            _ => null,
        };
        if (key is null) return null;
        string main = $"{prefix}{metric}/{cls}";
        return (main, main.Replace('/', '_') + "_" + key);
    }

    private FileStream Group(string folder)
    {
        if (_groups.TryGetValue(folder, out var f)) return f;
        string dir = System.IO.Path.Combine(_logDir, folder);
        Directory.CreateDirectory(dir);
        string name = System.IO.Path.GetFileName(Path);
        string path = System.IO.Path.Combine(dir, name);
        for (int i = 1; File.Exists(path); i++) path = System.IO.Path.Combine(dir, $"{name}.{i}");
        f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        TfRecord.Write(f, EncodeFileVersion(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0));
        _groups[folder] = f;
        return f;
    }

    /// <inheritdoc />
    public void Flush()
    {
        _out.Flush();
        foreach (var f in _groups.Values) f.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _out.Dispose();
        foreach (var f in _groups.Values) f.Dispose();
        _groups.Clear();
    }
}
