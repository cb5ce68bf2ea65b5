namespace PoseKD.Engine.Ot;

/// <summary>
/// How a batch of independent point-cloud pairs of different sizes is packed for <see cref="SamplesLoss"/>:
/// problem b owns rows [XOffset(b), XOffset(b) + XCounts[b]) of the packed source cloud and
/// [YOffset(b), YOffset(b) + YCounts[b]) of the packed target cloud. Problems that share a
/// <see cref="DiameterGroups"/> id share one ε-schedule, computed from the bounding box of all their points —
/// exactly what one geomloss call over those problems as a B × N × D batch does. Packing, rather than
/// padding with zero weights, keeps every problem's arithmetic identical to an unpadded call.
/// </summary>
public sealed class CloudBatchLayout
{
    private readonly int[] _xOffsets, _yOffsets;

    /// <summary>Creates a layout; every count must be ≥ 1 and group ids ≥ 0 (null = one group per problem).</summary>
    public CloudBatchLayout(int[] xCounts, int[] yCounts, int[]? diameterGroups = null)
    {
        ArgumentNullException.ThrowIfNull(xCounts);
        ArgumentNullException.ThrowIfNull(yCounts);
        if (xCounts.Length != yCounts.Length)
            throw new ArgumentException($"CloudBatchLayout: {xCounts.Length} source counts but {yCounts.Length} target counts");
        if (diameterGroups is not null && diameterGroups.Length != xCounts.Length)
            throw new ArgumentException($"CloudBatchLayout: {diameterGroups.Length} diameter groups for {xCounts.Length} problems");
        _xOffsets = new int[xCounts.Length + 1];
        _yOffsets = new int[yCounts.Length + 1];
        for (int b = 0; b < xCounts.Length; b++)
        {
            if (xCounts[b] < 1 || yCounts[b] < 1)
                throw new ArgumentException($"CloudBatchLayout: problem {b} has an empty cloud ({xCounts[b]} source, {yCounts[b]} target points); every cloud needs at least one point");
            if (diameterGroups is not null && diameterGroups[b] < 0)
                throw new ArgumentException($"CloudBatchLayout: problem {b} has a negative diameter group {diameterGroups[b]}");
            _xOffsets[b + 1] = checked(_xOffsets[b] + xCounts[b]);
            _yOffsets[b + 1] = checked(_yOffsets[b] + yCounts[b]);
        }
        XCounts = (int[])xCounts.Clone();
        YCounts = (int[])yCounts.Clone();
        DiameterGroups = diameterGroups is null ? Enumerable.Range(0, xCounts.Length).ToArray() : (int[])diameterGroups.Clone();
    }

    /// <summary>A layout of <paramref name="batch"/> problems of n source and m target points, all in one diameter group (geomloss's B × N × D call).</summary>
    public static CloudBatchLayout Dense(int batch, int n, int m)
    {
        if (batch < 1) throw new ArgumentException($"CloudBatchLayout.Dense: batch {batch} must be ≥ 1");
        return new CloudBatchLayout(Enumerable.Repeat(n, batch).ToArray(), Enumerable.Repeat(m, batch).ToArray(), new int[batch]);
    }

    /// <summary>Number of problems.</summary>
    public int Count => XCounts.Count;

    /// <summary>Source points per problem.</summary>
    public IReadOnlyList<int> XCounts { get; }

    /// <summary>Target points per problem.</summary>
    public IReadOnlyList<int> YCounts { get; }

    /// <summary>Diameter-group id per problem.</summary>
    public IReadOnlyList<int> DiameterGroups { get; }

    /// <summary>Total source points Σ N_b.</summary>
    public int TotalX => _xOffsets[^1];

    /// <summary>Total target points Σ M_b.</summary>
    public int TotalY => _yOffsets[^1];

    /// <summary>First packed source row of problem <paramref name="b"/>.</summary>
    public int XOffset(int b) => _xOffsets[b];

    /// <summary>First packed target row of problem <paramref name="b"/>.</summary>
    public int YOffset(int b) => _yOffsets[b];

    /// <summary>Largest source cloud.</summary>
    public int MaxX => XCounts.Count == 0 ? 0 : XCounts.Max();

    /// <summary>Largest target cloud.</summary>
    public int MaxY => YCounts.Count == 0 ? 0 : YCounts.Max();
}
