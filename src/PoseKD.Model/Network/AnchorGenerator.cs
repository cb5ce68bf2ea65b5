using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// One square anchor per feature cell and level. The module holds, like the reference, one persistent
/// buffer per configured anchor size, <c>cell_anchors.{k}</c> of shape [1, 4] (x1, y1, x2, y2 of the anchor of
/// cell (0, 0)), so the state dict carries all configured levels (5 by default) even when the network
/// produces fewer; <see cref="GridAnchors"/> is asked only for the levels the FPN produces.
/// </summary>
/// <remarks>
/// Conventions (those of the reference's box coder): a cell anchor of side <c>s</c> at stride <c>d</c> is
/// <c>[d/2 − (s−1)/2, d/2 − (s−1)/2, d/2 + (s−1)/2, d/2 + (s−1)/2]</c>; the anchor of cell (row i, column j) adds
/// <c>(j·d, i·d)</c>; its width is <c>x2 − x1 + 1 = s</c> and its centre <c>((x1 + x2)/2, (y1 + y2)/2) = (j·d + d/2, i·d + d/2)</c>.
/// </remarks>
public sealed class AnchorGenerator : Module
{
    private readonly CellAnchorList _cellAnchors;

    /// <summary>Builds the generator for anchor <paramref name="sizes"/> at <paramref name="strides"/> (one of each per level).</summary>
    /// <exception cref="ArgumentException">lengths differ, are empty, or a value is not positive.</exception>
    public AnchorGenerator(IReadOnlyList<int> sizes, IReadOnlyList<int> strides)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(strides);
        if (sizes.Count == 0 || sizes.Count != strides.Count)
            throw new ArgumentException($"anchor sizes and strides need one entry per level and equal lengths, got {sizes.Count} sizes and {strides.Count} strides");
        for (int k = 0; k < sizes.Count; k++)
            if (sizes[k] <= 0 || strides[k] <= 0)
                throw new ArgumentException($"anchor size and stride of level {k} must be positive, got size {sizes[k]}, stride {strides[k]}");
        Sizes = sizes.ToArray();
        Strides = strides.ToArray();
        var cells = new Tensor[Sizes.Count];
        for (int k = 0; k < cells.Length; k++) cells[k] = Tensor.FromArray(CellAnchor(Strides[k], Sizes[k]), 1, 4);
        _cellAnchors = RegisterModule("cell_anchors", new CellAnchorList(cells));
    }

    /// <summary>Builds the generator from <see cref="PoseNetOptions.AnchorSizes"/> / <see cref="PoseNetOptions.AnchorStrides"/>.</summary>
    public static AnchorGenerator FromOptions(PoseNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AnchorGenerator(options.AnchorSizes, options.AnchorStrides);
    }

    /// <summary>Anchor side per configured level.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Anchor stride per configured level.</summary>
    public IReadOnlyList<int> Strides { get; }

    /// <summary>Number of configured levels (= number of <c>cell_anchors</c> buffers).</summary>
    public int LevelCount => Sizes.Count;

    /// <summary>The [1, 4] cell-anchor buffer of <paramref name="level"/> (x1, y1, x2, y2).</summary>
    public Tensor CellAnchors(int level)
    {
        CheckLevel(level);
        return _cellAnchors[level];
    }

    /// <summary>
    /// The cell anchor of side <paramref name="size"/> at <paramref name="stride"/>, aspect ratio 1 and octave
    /// scale 1: <c>c ∓ (size − 1)/2</c> with <c>c = stride/2</c>, as x1, y1, x2, y2.
    /// </summary>
    public static float[] CellAnchor(int stride, int size)
    {
        if (stride <= 0 || size <= 0) throw new ArgumentOutOfRangeException(nameof(stride), $"stride and size must be positive, got {stride}, {size}");
        double c = stride / 2.0, half = (size - 1) / 2.0;
        return [(float)(c - half), (float)(c - half), (float)(c + half), (float)(c + half)];
    }

    /// <summary>
    /// Anchors of every cell of a <paramref name="height"/> × <paramref name="width"/> feature map of
    /// <paramref name="level"/>: float[height·width·4] (x1, y1, x2, y2), cells row-major (cell = i·width + j),
    /// the cell anchor shifted by (j·stride, i·stride).
    /// </summary>
    public float[] GridAnchors(int level, int height, int width)
    {
        CheckLevel(level);
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"grid must be positive, got {height}×{width}");
        var baseAnchor = _cellAnchors[level].Data;
        int stride = Strides[level];
        var a = new float[height * width * 4];
        for (int i = 0; i < height; i++)
        {
            float sy = i * stride;
            for (int j = 0; j < width; j++)
            {
                float sx = j * stride;
                int o = (i * width + j) * 4;
                a[o] = sx + baseAnchor[0];
                a[o + 1] = sy + baseAnchor[1];
                a[o + 2] = sx + baseAnchor[2];
                a[o + 3] = sy + baseAnchor[3];
            }
        }
        return a;
    }

    /// <summary>Centre of the anchor of cell (<paramref name="row"/>, <paramref name="col"/>) at <paramref name="level"/>: ((x1+x2)/2, (y1+y2)/2).</summary>
    public (float Cx, float Cy) AnchorCenter(int level, int row, int col)
    {
        CheckLevel(level);
        var b = _cellAnchors[level].Data;
        int stride = Strides[level];
        float x1 = col * stride + b[0], x2 = col * stride + b[2];
        float y1 = row * stride + b[1], y2 = row * stride + b[3];
        return ((x1 + x2) / 2, (y1 + y2) / 2);
    }

    /// <summary>Width and height of the anchors of <paramref name="level"/>: x2 − x1 + 1, y2 − y1 + 1 (= the anchor size).</summary>
    public (float W, float H) AnchorSize(int level)
    {
        CheckLevel(level);
        var b = _cellAnchors[level].Data;
        return (b[2] - b[0] + 1, b[3] - b[1] + 1);
    }

    /// <summary>Width, height and centre of an x1, y1, x2, y2 box with the coder's "+1" width convention.</summary>
    public static (float W, float H, float Cx, float Cy) Describe(ReadOnlySpan<float> xyxy)
    {
        if (xyxy.Length != 4) throw new ArgumentException($"an anchor has 4 values (x1, y1, x2, y2), got {xyxy.Length}", nameof(xyxy));
        return (xyxy[2] - xyxy[0] + 1, xyxy[3] - xyxy[1] + 1, (xyxy[0] + xyxy[2]) / 2, (xyxy[1] + xyxy[3]) / 2);
    }

    private void CheckLevel(int level)
    {
        if ((uint)level >= (uint)Sizes.Count)
            throw new ArgumentOutOfRangeException(nameof(level), $"level {level} is outside the {Sizes.Count} configured anchor levels");
    }

    /// <summary>The buffers <c>0 … n−1</c>, a module of its own so the keys read <c>cell_anchors.{k}</c>.</summary>
    private sealed class CellAnchorList : Module
    {
        private readonly Tensor[] _items;

        public CellAnchorList(Tensor[] items)
        {
            _items = items;
            for (int k = 0; k < items.Length; k++) RegisterBuffer(k.ToString(System.Globalization.CultureInfo.InvariantCulture), items[k]);
        }

        public Tensor this[int k] => _items[k];
    }
}
