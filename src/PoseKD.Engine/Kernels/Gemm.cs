using PoseKD.Engine.Interop;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major spans:
/// C[m×n] = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ.
/// <para>A is stored m×k (or k×m when transA), B is k×n (or n×k when
/// transB); lda/ldb/ldc are row strides in elements. As in BLAS, beta = 0 overwrites C
/// (NaN/Inf already in C do not propagate).</para>
/// </summary>
public static class Gemm
{
    /// <summary>True when <see cref="Sgemm"/> currently dispatches to OpenBLAS (library present and <see cref="NativeSettings.UseBlas"/>).</summary>
    public static bool UsesOpenBlas => NativeSettings.UseBlas && OpenBlas.IsAvailable;

    /// <summary>
    /// Computes C = alpha·op(A)·op(B) + beta·C (row-major). Dispatches to OpenBLAS <c>cblas_sgemm</c>
    /// (Debian <c>libopenblas0-pthread</c>) when present and allowed, else to <see cref="Managed"/>.
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f || !UsesOpenBlas)
        {
            GemmBlocked.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, GemmBlocked.BestKind);
            return;
        }
        OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// Managed C = alpha·op(A)·op(B) + beta·C: packed, cache-blocked, with a 6×16 (Vector256) or 6×32
    /// (Vector512) FMA micro-kernel, parallel over blocks of C using <see cref="NativeSettings.Threads"/>.
    /// </summary>
    public static void Managed(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        GemmBlocked.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, GemmBlocked.BestKind);
    }

    /// <summary>Managed GEMM with an explicit micro-kernel and thread count (tests exercise every kind on any CPU); threads ≤ 0 uses <see cref="NativeSettings.Threads"/>.</summary>
    internal static void ManagedWith(GemmKernelKind kind, int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        GemmBlocked.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, kind, threads);
    }

    /// <summary>Plain triple loop with double accumulation: the test oracle.</summary>
    public static void Reference(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    acc += (double)av * bv;
                }
                float prev = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * acc) + prev;
            }
        }
    }

    private static void Check(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"gemm sizes must be non-negative, got m={m}, n={n}, k={k}");
        CheckMatrix("A", transA ? k : m, transA ? m : k, a.Length, lda);
        CheckMatrix("B", transB ? n : k, transB ? k : n, b.Length, ldb);
        CheckMatrix("C", m, n, c.Length, ldc);
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld)
    {
        if (ld < cols) throw new ArgumentException($"gemm: leading dimension of {name} is {ld}, less than its {cols} columns ({rows}×{cols})");
        if (rows == 0 || cols == 0) return;
        long need = (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException($"gemm: {name} is {rows}×{cols} with leading dimension {ld} and needs {need} elements, span has {length}");
    }
}
