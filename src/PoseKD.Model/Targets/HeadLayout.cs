using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Model.Targets;

/// <summary>
/// The cell layout of one network output: its levels (stride 8 first), the number of foreground classes, and
/// the flat numbering the reference uses when it concatenates levels (level 0's cells first, row-major).
/// </summary>
public sealed class HeadLayout
{
    private readonly int[] _offsets;

    /// <summary>The levels, stride 8 first.</summary>
    public IReadOnlyList<LevelGrid> Levels { get; }

    /// <summary>Foreground classes C (= N_CLASS − 1).</summary>
    public int Classes { get; }

    /// <summary>Cells over all levels.</summary>
    public int TotalCells { get; }

    /// <summary>Builds a layout from explicit level grids.</summary>
    /// <exception cref="ArgumentException">no levels, or a non-positive class count or grid size.</exception>
    public HeadLayout(IReadOnlyList<LevelGrid> levels, int classes)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0) throw new ArgumentException("a head layout needs at least one level", nameof(levels));
        if (classes < 1) throw new ArgumentException($"the head needs at least one foreground class, got {classes}", nameof(classes));
        foreach (var l in levels)
            if (l.Height <= 0 || l.Width <= 0 || l.Stride <= 0 || l.AnchorSize <= 0)
                throw new ArgumentException($"level grid {l} must have positive sizes", nameof(levels));
        Levels = levels.ToArray();
        Classes = classes;
        _offsets = new int[levels.Count + 1];
        for (int k = 0; k < levels.Count; k++) _offsets[k + 1] = _offsets[k] + levels[k].Count;
        TotalCells = _offsets[^1];
    }

    /// <summary>Index of level <paramref name="level"/>'s first cell in the concatenated numbering.</summary>
    public int LevelOffset(int level) => _offsets[level];

    /// <summary>
    /// The layout of <paramref name="output"/>: grid sizes from its class maps, strides and anchor sizes from the
    /// first L entries of <paramref name="options"/>.
    /// </summary>
    /// <exception cref="ArgumentException">class and regression maps disagree in shape, or there are more levels than anchors.</exception>
    public static HeadLayout From(PoseNetOutput output, HeadOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        int n = output.ClsLogits.Count;
        if (n == 0 || output.PoseReg.Count != n)
            throw new ArgumentException($"network output has {output.ClsLogits.Count} class maps and {output.PoseReg.Count} regression maps; expected the same non-zero number");
        if (n > options.AnchorSizes.Count || n > options.AnchorStrides.Count)
            throw new ArgumentException($"network output has {n} levels but ANCHOR_SIZES has {options.AnchorSizes.Count} and ANCHOR_STRIDES {options.AnchorStrides.Count} entries");
        int b = -1, c = -1;
        var levels = new LevelGrid[n];
        for (int k = 0; k < n; k++)
        {
            Tensor cls = output.ClsLogits[k], reg = output.PoseReg[k];
            if (cls.Rank != 4 || reg.Rank != 4)
                throw new ArgumentException($"level {k}: class map {Shapes.Format(cls.Shape)} and regression map {Shapes.Format(reg.Shape)} must be [B, C, H, W] and [B, 16C, H, W]");
            if (b < 0) { b = cls.Shape[0]; c = cls.Shape[1]; }
            if (cls.Shape[0] != b || cls.Shape[1] != c || reg.Shape[0] != b || reg.Shape[1] != 16 * c || reg.Shape[2] != cls.Shape[2] || reg.Shape[3] != cls.Shape[3])
                throw new ArgumentException($"level {k}: class map {Shapes.Format(cls.Shape)} and regression map {Shapes.Format(reg.Shape)} do not fit [{b}, {c}, H, W] / [{b}, {16 * c}, H, W]");
            levels[k] = new LevelGrid(cls.Shape[2], cls.Shape[3], options.AnchorStrides[k], options.AnchorSizes[k]);
        }
        return new HeadLayout(levels, c);
    }
}
