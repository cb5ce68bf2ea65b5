namespace PoseKD.Engine.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major spans:
/// C[m×n] = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ.
/// <para>A is stored m×k (or k×m when transA), B is k×n (or n×k when
/// transB); lda/ldb/ldc are row strides in elements.</para>
/// </summary>
public static class Gemm
{
    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C (row-major). Dispatches to the fastest available path.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

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
}
