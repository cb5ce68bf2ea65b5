namespace PoseKD.Model.Targets;

/// <summary>
/// Per-cell class labels and the positives of a batch, in the reference's flat order (image-major, then levels
/// concatenated, then row-major cells).
/// </summary>
public sealed class HeadTargets
{
    /// <summary>The cell layout the labels refer to.</summary>
    public required HeadLayout Layout { get; init; }

    /// <summary>Images in the batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>
    /// Labels [B·TotalCells]: −1 ignored (on an object's visible mask but not drawn), 0 background, c + 1 a
    /// positive of class c.
    /// </summary>
    public required int[] Labels { get; init; }

    /// <summary>The positives (labels &gt; 0) in flat order.</summary>
    public required IReadOnlyList<PositiveCell> Positives { get; init; }

    /// <summary>Number of positives of each image.</summary>
    public int[] PositivesPerImage()
    {
        var n = new int[BatchSize];
        foreach (var p in Positives) n[p.Image]++;
        return n;
    }

    /// <summary>Label of cell <paramref name="index"/> of level <paramref name="level"/> in image <paramref name="image"/>.</summary>
    public int Label(int image, int level, int index) => Labels[image * Layout.TotalCells + Layout.LevelOffset(level) + index];
}
