namespace PoseKD.Engine.Kernels;

/// <summary>Micro-kernel used by the managed GEMM.</summary>
internal enum GemmKernelKind
{
    /// <summary>Portable scalar 6×16 kernel (no SIMD hardware).</summary>
    Scalar,

    /// <summary>6×16 kernel on Vector256 with fused multiply-add.</summary>
    Vector256,

    /// <summary>6×32 kernel on Vector512 with fused multiply-add.</summary>
    Vector512,
}
