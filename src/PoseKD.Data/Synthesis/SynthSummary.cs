namespace PoseKD.Data.Synthesis;

/// <summary>What <see cref="SyntheticDatasetGenerator.Generate"/> wrote.</summary>
public sealed class SynthSummary
{
    /// <summary>Dataset root.</summary>
    public required string Root { get; init; }

    /// <summary>Object ids with their names, in class-id order.</summary>
    public required IReadOnlyList<(int ObjId, string Name)> Objects { get; init; }

    /// <summary>Images written.</summary>
    public int Images { get; init; }

    /// <summary>Training images (sum over the train lists).</summary>
    public int TrainImages { get; init; }

    /// <summary>Total bytes of all files written.</summary>
    public long Bytes { get; init; }

    /// <summary>Wall-clock seconds.</summary>
    public double Seconds { get; init; }

    /// <summary>Images per second.</summary>
    public double ImagesPerSecond => Seconds > 0 ? Images / Seconds : 0;

    /// <summary>Paths of the YAML configs written (one per object).</summary>
    public required IReadOnlyList<string> Configs { get; init; }
}
