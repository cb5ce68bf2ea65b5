using System.Runtime.InteropServices;

namespace PoseKD.Engine.Interop;

/// <summary>
/// OpenBLAS (Debian package <c>libopenblas0-pthread</c>), loaded at run time. Only <c>cblas_sgemm</c> and the
/// thread-count functions are bound; callers check <see cref="IsAvailable"/> and fall back to managed code.
/// </summary>
internal static partial class OpenBlas
{
    /// <summary>Shared library name resolved by the dynamic loader.</summary>
    internal const string LibraryName = "libopenblas.so.0";

    /// <summary>Debian package that provides <see cref="LibraryName"/>.</summary>
    internal const string DebianPackage = "libopenblas0-pthread";

    private const int CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112;

    private static readonly Lazy<bool> s_available = new(Probe);

    /// <summary>True when the library loads and exports <c>cblas_sgemm</c>.</summary>
    internal static bool IsAvailable => s_available.Value;

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(LibraryName, out var handle)) return false;
        if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _)) return false;
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out _))
            openblas_set_num_threads(NativeSettings.Threads);
        return true;
    }

    /// <summary>Sets OpenBLAS's thread count when the library is present.</summary>
    internal static void SetNumThreads(int threads)
    {
        if (s_available.IsValueCreated && s_available.Value) openblas_set_num_threads(threads);
    }

    /// <summary>Row-major <c>cblas_sgemm</c>: C = alpha·op(A)·op(B) + beta·C. Requires m, n, k ≥ 1 and valid spans.</summary>
    internal static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    [LibraryImport(LibraryName)]
    private static unsafe partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(LibraryName)]
    private static partial void openblas_set_num_threads(int threads);
}
