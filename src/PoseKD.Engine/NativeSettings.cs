using PoseKD.Engine.Interop;

namespace PoseKD.Engine;

/// <summary>
/// Process-wide settings of the engine's compute back-ends: thread count and which native libraries
/// (OpenBLAS for GEMM, oneDNN for convolutions) may be used.
/// <para>Environment variables read once at start-up: <c>POSEKD_THREADS</c> (thread count),
/// <c>POSEKD_NO_BLAS=1</c> (force the managed GEMM), <c>POSEKD_NO_DNNL=1</c> (force the im2col + GEMM
/// convolution).</para>
/// </summary>
public static class NativeSettings
{
    private static int _threads = InitialThreads();
    private static volatile bool _useBlas = !EnvFlag("POSEKD_NO_BLAS");
    private static volatile bool _useOneDnn = !EnvFlag("POSEKD_NO_DNNL");

    /// <summary>
    /// Number of threads used by OpenBLAS (<c>openblas_set_num_threads</c>), oneDNN (OpenMP threads of the
    /// calling thread) and the managed parallel kernels. Defaults to <c>POSEKD_THREADS</c> or the processor count.
    /// Set it at start-up, not while other threads are inside OpenBLAS (<c>openblas_set_num_threads</c> is not thread-safe).
    /// </summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _threads = value;
            OpenBlas.SetNumThreads(value);
        }
    }

    /// <summary>Whether <see cref="Kernels.Gemm.Sgemm"/> may call OpenBLAS (false forces the managed GEMM).</summary>
    public static bool UseBlas
    {
        get => _useBlas;
        set => _useBlas = value;
    }

    /// <summary>Whether convolutions may call oneDNN (false forces im2col + GEMM).</summary>
    public static bool UseOneDnn
    {
        get => _useOneDnn;
        set => _useOneDnn = value;
    }

    /// <summary>
    /// The instruction set oneDNN dispatches its kernels to on this machine (e.g. <c>Intel AVX2</c> or
    /// <c>Intel AVX-512</c>), or null when <c>libdnnl.so.2</c> cannot be loaded. Speed figures depend on it.
    /// </summary>
    public static string? OneDnnIsa
    {
        get
        {
            if (!OneDnnConv.IsAvailable) return null;
            int isa = OneDnn.dnnl_get_effective_cpu_isa();
            nint name = OneDnn.dnnl_cpu_isa2str(isa);
            return name != 0 ? System.Runtime.InteropServices.Marshal.PtrToStringUTF8(name) : $"dnnl_cpu_isa_t 0x{isa:x}";
        }
    }

    /// <summary>Parallel-loop options honouring <see cref="Threads"/>.</summary>
    internal static ParallelOptions ParallelOptions => new() { MaxDegreeOfParallelism = _threads };

    private static int InitialThreads()
    {
        var s = Environment.GetEnvironmentVariable("POSEKD_THREADS");
        return int.TryParse(s, out int t) && t >= 1 ? t : Environment.ProcessorCount;
    }

    private static bool EnvFlag(string name)
    {
        var s = Environment.GetEnvironmentVariable(name);
        return s is not null && s != "" && s != "0" && !s.Equals("false", StringComparison.OrdinalIgnoreCase);
    }
}
