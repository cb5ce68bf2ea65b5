using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// Feature pyramid over the backbone outputs whose FEAT_CHANNELS entry is non-zero: a 1×1 lateral conv per
/// input (<c>inner_convs.{i}</c>), a top-down path (nearest ×2 upsampling added to the next lateral) and a 3×3
/// output conv per level (<c>out_convs.{i}</c>); indices i are the backbone-output indices, so with leading
/// zeros they start at 2. With P6/P7 (<c>top_blocks.p6</c>, <c>top_blocks.p7</c>, 3×3 stride 2):
/// P6 = p6(C_last) from the last backbone output — not from the top FPN level — and P7 = p7(ReLU(P6)).
/// All convs Kaiming-uniform with a = 1, zero bias.
/// </summary>
public sealed class Fpn : Module
{
    private readonly int _first;
    private readonly Conv2d[] _inner, _out;

    /// <summary>Builds the pyramid for <paramref name="featChannels"/> (0 = unused input) at width <paramref name="outChannel"/>.</summary>
    public Fpn(IReadOnlyList<int> featChannels, int outChannel, bool useHigherLevels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(featChannels);
        ArgumentNullException.ThrowIfNull(generator);
        _first = 0;
        while (_first < featChannels.Count && featChannels[_first] == 0) _first++;
        if (_first == featChannels.Count) throw new ArgumentException($"FPN needs at least one non-zero input channel count, got [{string.Join(", ", featChannels)}]", nameof(featChannels));
        for (int i = _first; i < featChannels.Count; i++)
            if (featChannels[i] <= 0) throw new ArgumentException($"FPN inputs after the first non-zero one must be positive (zeros may only lead), got [{string.Join(", ", featChannels)}]", nameof(featChannels));
        InputCount = featChannels.Count;
        int n = featChannels.Count - _first;
        _inner = new Conv2d[n];
        _out = new Conv2d[n];
        var innerList = RegisterModule("inner_convs", new IndexedList());
        var outList = RegisterModule("out_convs", new IndexedList());
        for (int k = 0; k < n; k++)
        {
            int i = _first + k;
            _inner[k] = innerList.Add(i, KaimingA1(new Conv2d(featChannels[i], outChannel, 1, generator: generator), generator));
            _out[k] = outList.Add(i, KaimingA1(new Conv2d(outChannel, outChannel, 3, 1, 1, generator: generator), generator));
        }
        if (useHigherLevels)
            TopBlocks = RegisterModule("top_blocks", new FpnTopBlocks(featChannels[^1], outChannel, generator));
    }

    /// <summary>Number of backbone outputs expected by <see cref="Forward"/>.</summary>
    public int InputCount { get; }

    /// <summary>The P6/P7 block, or null without higher levels.</summary>
    public FpnTopBlocks? TopBlocks { get; }

    /// <summary>Number of output levels.</summary>
    public int LevelCount => _inner.Length + (TopBlocks is null ? 0 : 2);

    /// <summary>The 1×1 lateral convs, lowest level first.</summary>
    public IReadOnlyList<Conv2d> InnerConvs => _inner;

    /// <summary>The 3×3 output convs, lowest level first.</summary>
    public IReadOnlyList<Conv2d> OutConvs => _out;

    /// <summary>The pyramid levels, finest first: [P3, P4, (P5,) P6, P7].</summary>
    public IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != InputCount) throw new ArgumentException($"FPN expects {InputCount} backbone outputs, got {inputs.Count}", nameof(inputs));
        int n = _inner.Length;
        var outs = new Tensor[LevelCount];
        var inner = _inner[n - 1].Forward(inputs[^1]);
        outs[n - 1] = _out[n - 1].Forward(inner);
        for (int k = n - 2; k >= 0; k--)
        {
            var lateral = _inner[k].Forward(inputs[_first + k]);
            var up = F.UpsampleNearest(inner, 2);
            if (!up.Shape.AsSpan().SequenceEqual(lateral.Shape))
                throw new ArgumentException($"FPN: upsampled level {k + 1} {Shapes.Format(up.Shape)} does not match lateral {Shapes.Format(lateral.Shape)}; the input side must be divisible by the backbone's largest stride");
            inner = F.Add(lateral, up);
            outs[k] = _out[k].Forward(inner);
        }
        if (TopBlocks is not null)
        {
            var (p6, p7) = TopBlocks.Forward(inputs[^1]);
            outs[n] = p6;
            outs[n + 1] = p7;
        }
        return outs;
    }

    internal static Conv2d KaimingA1(Conv2d conv, Generator generator)
    {
        Init.KaimingUniform(conv.Weight, generator, 1);
        if (conv.Bias is not null) Init.Constant(conv.Bias, 0);
        return conv;
    }

    /// <summary>A module list whose children are named by given indices (PyTorch's ModuleList with None entries).</summary>
    private sealed class IndexedList : Module
    {
        public Conv2d Add(int index, Conv2d conv) => RegisterModule(index.ToString(System.Globalization.CultureInfo.InvariantCulture), conv);
    }
}
