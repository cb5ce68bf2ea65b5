using Google.Protobuf;

namespace PoseKD.Training.Events;

/// <summary>
/// Writes scalars as a TensorBoard event file (<c>events.out.tfevents.&lt;time&gt;.&lt;host&gt;</c>): TFRecord-framed
/// <c>tensorflow.Event</c> protobufs, the first holding <c>file_version = "brain.Event:2"</c>, the others
/// <c>wall_time</c> (field 1, double), <c>step</c> (2, int64) and <c>summary</c> (5) with one
/// <c>Summary.Value</c> (field 1) per scalar: <c>tag</c> (1, string), <c>simple_value</c> (2, float) — the field
/// numbers of TensorFlow's public event.proto / summary.proto. Each process writes its own file; TensorBoard
/// merges the files of a directory, so a resumed run continues its curves.
/// </summary>
public sealed class TensorBoardWriter : IEventWriter
{
    private readonly FileStream _out;

    /// <summary>Creates a new event file in <paramref name="logDir"/>.</summary>
    public TensorBoardWriter(string logDir)
    {
        ArgumentNullException.ThrowIfNull(logDir);
        Directory.CreateDirectory(logDir);
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
        => TfRecord.Write(_out, EncodeScalars(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, step, scalars));

    /// <inheritdoc />
    public void Flush() => _out.Flush();

    /// <inheritdoc />
    public void Dispose() => _out.Dispose();
}
