using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Iteration plan for a broadcasting binary op: the output shape with size-1 dimensions dropped and
/// adjacent dimensions merged wherever both operands are contiguous across them, so that the inner loop
/// runs over the longest possible contiguous (stride 1) or broadcast (stride 0) run.
/// </summary>
public sealed class BroadcastPlan
{
    /// <summary>Broadcast (uncollapsed) output shape.</summary>
    public int[] OutShape { get; }
    /// <summary>Collapsed outer dimensions (all but the inner run).</summary>
    public int[] OuterShape { get; }
    /// <summary>Strides of a over <see cref="OuterShape"/> (0 = broadcast).</summary>
    public int[] OuterStrideA { get; }
    /// <summary>Strides of b over <see cref="OuterShape"/> (0 = broadcast).</summary>
    public int[] OuterStrideB { get; }
    /// <summary>Length of the inner run.</summary>
    public int Inner { get; }
    /// <summary>Stride of a in the inner run: 1 (contiguous) or 0 (broadcast).</summary>
    public int InnerStrideA { get; }
    /// <summary>Stride of b in the inner run: 1 (contiguous) or 0 (broadcast).</summary>
    public int InnerStrideB { get; }
    /// <summary>Number of inner runs (product of <see cref="OuterShape"/>).</summary>
    public int Outer { get; }

    /// <summary>Plans <c>a ⊕ b</c> for operands of shapes <paramref name="aShape"/> and <paramref name="bShape"/>.</summary>
    public BroadcastPlan(int[] aShape, int[] bShape)
    {
        OutShape = Shapes.Broadcast(aShape, bShape);
        var sa = Shapes.BroadcastStrides(aShape, OutShape);
        var sb = Shapes.BroadcastStrides(bShape, OutShape);
        var dims = new List<(int Size, int A, int B)>();
        for (int i = 0; i < OutShape.Length; i++)
        {
            int size = OutShape[i];
            if (size == 1) continue;
            if (dims.Count > 0)
            {
                var (ps, pa, pb) = dims[^1];
                if (pa == sa[i] * size && pb == sb[i] * size) { dims[^1] = (ps * size, sa[i], sb[i]); continue; }
            }
            dims.Add((size, sa[i], sb[i]));
        }
        if (dims.Count == 0) dims.Add((Shapes.Numel(OutShape), 0, 0));
        var inner = dims[^1];
        Inner = inner.Size; InnerStrideA = inner.A; InnerStrideB = inner.B;
        OuterShape = dims.Take(dims.Count - 1).Select(d => d.Size).ToArray();
        OuterStrideA = dims.Take(dims.Count - 1).Select(d => d.A).ToArray();
        OuterStrideB = dims.Take(dims.Count - 1).Select(d => d.B).ToArray();
        Outer = Inner == 0 ? 0 : Shapes.Numel(OutShape) / Inner;
    }
}
