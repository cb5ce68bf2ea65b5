namespace PoseKD.Engine.Kernels;

/// <summary>
/// Geometry of a 2-D convolution over NCHW input with OIHW weights (groups = 1, square stride and zero padding):
/// x[N, InChannels, Height, Width] ⊛ w[OutChannels, InChannels, KernelH, KernelW] → y[N, OutChannels, OutHeight, OutWidth],
/// OutHeight = (Height + 2·Padding − KernelH) / Stride + 1.
/// </summary>
public readonly record struct Conv2dShape(int N, int InChannels, int Height, int Width, int OutChannels,
    int KernelH, int KernelW, int Stride = 1, int Padding = 0)
{
    /// <summary>Output height: (Height + 2·Padding − KernelH) / Stride + 1.</summary>
    public int OutHeight => (Height + 2 * Padding - KernelH) / Stride + 1;

    /// <summary>Output width: (Width + 2·Padding − KernelW) / Stride + 1.</summary>
    public int OutWidth => (Width + 2 * Padding - KernelW) / Stride + 1;

    /// <summary>Elements of x: N·InChannels·Height·Width.</summary>
    public long InputSize => (long)N * InChannels * Height * Width;

    /// <summary>Elements of w: OutChannels·InChannels·KernelH·KernelW.</summary>
    public long WeightSize => (long)OutChannels * InChannels * KernelH * KernelW;

    /// <summary>Elements of y: N·OutChannels·OutHeight·OutWidth.</summary>
    public long OutputSize => (long)N * OutChannels * OutHeight * OutWidth;

    /// <summary>Rows of the im2col matrix: InChannels·KernelH·KernelW.</summary>
    public int PatchSize => InChannels * KernelH * KernelW;

    /// <summary>Multiply-add count ×2 of the forward pass: 2·N·OutChannels·OutHeight·OutWidth·PatchSize.</summary>
    public double Flops => 2.0 * N * OutChannels * OutHeight * OutWidth * PatchSize;

    /// <summary>Throws <see cref="ArgumentException"/> unless all sizes are valid and the output is non-empty.</summary>
    public void Validate()
    {
        if (N < 0 || InChannels <= 0 || OutChannels <= 0 || Height <= 0 || Width <= 0 || KernelH <= 0 || KernelW <= 0 || Stride <= 0 || Padding < 0)
            throw new ArgumentException($"invalid conv2d shape {this}");
        if (OutHeight <= 0 || OutWidth <= 0 || Height + 2 * Padding < KernelH || Width + 2 * Padding < KernelW)
            throw new ArgumentException($"conv2d kernel {KernelH}×{KernelW} does not fit input {Height}×{Width} with padding {Padding}");
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="length"/> differs from <paramref name="expected"/>.</summary>
    internal static void CheckLength(string name, int length, long expected, Conv2dShape shape)
    {
        if (length != expected) throw new ArgumentException($"conv2d: {name} has {length} elements, expected {expected} for {shape}");
    }
}
