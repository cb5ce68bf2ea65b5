namespace PoseKD.Engine.Tensors;

/// <summary>
/// Shape arithmetic shared by tensors, kernels and ops: element counts, row-major strides,
/// NumPy/PyTorch broadcasting, dimension normalisation and formatting for error messages.
/// </summary>
public static class Shapes
{
    /// <summary>Number of elements: the product of the dimensions (1 for the scalar shape []).</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has more than {int.MaxValue} elements");
        }
        return (int)n;
    }

    /// <summary>Row-major (contiguous) strides in elements: stride[i] = Π_{j&gt;i} shape[j].</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>Formats a shape as <c>[2, 3, 4]</c> (scalar: <c>[]</c>).</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>True when both shapes have the same rank and dimensions.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>
    /// Broadcast shape of <paramref name="a"/> and <paramref name="b"/> (PyTorch/NumPy rules: align from the
    /// right; each pair of dimensions must be equal or one of them 1). Throws <see cref="ArgumentException"/>
    /// naming both shapes otherwise.
    /// </summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} are not broadcastable (dimension {i} of the result: {da} vs {db})");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>
    /// Strides of <paramref name="shape"/> viewed as the broadcast shape <paramref name="target"/>: 0 for
    /// every dimension that is broadcast (missing on the left or of size 1), the row-major stride otherwise.
    /// </summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        int rank = target.Length, off = rank - shape.Length;
        if (off < 0) throw new ArgumentException($"shape {Format(shape)} cannot be broadcast to {Format(target)}");
        var own = Strides(shape);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            if (i < off) { r[i] = 0; continue; }
            int d = shape[i - off];
            if (d == target[i]) r[i] = d == 1 ? 0 : own[i - off];
            else if (d == 1) r[i] = 0;
            else throw new ArgumentException($"shape {Format(shape)} cannot be broadcast to {Format(target)}");
        }
        return r;
    }

    /// <summary>Maps a possibly negative dimension index into [0, rank); throws when out of range.</summary>
    public static int NormalizeDim(int dim, int rank)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank {rank}");
        return d;
    }

    /// <summary>
    /// Normalises a set of dimensions (negative allowed, null = all) into a sorted, duplicate-free array;
    /// throws on duplicates or out-of-range entries.
    /// </summary>
    public static int[] NormalizeDims(int[]? dims, int rank)
    {
        if (dims is null) return Enumerable.Range(0, rank).ToArray();
        var r = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++) r[i] = NormalizeDim(dims[i], rank);
        Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
            if (r[i] == r[i - 1]) throw new ArgumentException($"dimension {r[i]} appears more than once in [{string.Join(", ", dims)}]");
        return r;
    }
}
