using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PoseKD.Engine.Kernels;

/// <summary>
/// Managed packed GEMM in the style of BLIS/GotoBLAS. C is cut into blocks of at most
/// <see cref="MaxMc"/>×<see cref="MaxNc"/>; each block is one parallel task that loops over k in slices of
/// <see cref="Kc"/>, packs its slice of op(A) into MR-row panels and of op(B) into NR-column panels (zero padded),
/// and runs an MR×NR register-blocked micro-kernel: C[i, j] += alpha · Σ_p Apack[p, i] · Bpack[p, j].
/// Arguments are checked by <see cref="Gemm"/>.
/// </summary>
internal static unsafe class GemmBlocked
{
    internal const int Mr = 6;
    internal const int Kc = 256;
    internal const int MaxMc = 120;
    internal const int MaxNc = 1024;
    private const long ParallelFlopThreshold = 1L << 20;

    [ThreadStatic] private static float[]? t_aPack;
    [ThreadStatic] private static float[]? t_bPack;

    /// <summary>Fastest micro-kernel the hardware accelerates.</summary>
    internal static GemmKernelKind BestKind { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernelKind.Vector256
        : GemmKernelKind.Scalar;

    internal static int Nr(GemmKernelKind kind) => kind == GemmKernelKind.Vector512 ? 32 : 16;

    /// <summary>C = alpha·op(A)·op(B) + beta·C; sizes and spans already validated.</summary>
    internal static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        GemmKernelKind kind, int threads = 0)
    {
        if (m == 0 || n == 0) return;
        ScaleC(beta, c, m, n, ldc);
        if (k == 0 || alpha == 0f) return;

        int nr = Nr(kind);
        int rowBlocks = (m + MaxMc - 1) / MaxMc;
        int colBlocks = (n + MaxNc - 1) / MaxNc;
        if (threads <= 0) threads = NativeSettings.Threads;
        bool parallel = threads > 1 && (long)m * n * k >= ParallelFlopThreshold;
        if (parallel)
        {
            // Enough tasks for load balance: split columns further (never below one NR panel per task).
            int maxColBlocks = (n + nr - 1) / nr;
            while (rowBlocks * colBlocks < 4 * threads && colBlocks < maxColBlocks) colBlocks = Math.Min(maxColBlocks, colBlocks * 2);
        }
        int mc = RoundUp((m + rowBlocks - 1) / rowBlocks, Mr);
        int nc = RoundUp((n + colBlocks - 1) / colBlocks, nr);
        rowBlocks = (m + mc - 1) / mc;
        colBlocks = (n + nc - 1) / nc;
        int tasks = rowBlocks * colBlocks;

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var job = new Job
            {
                TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha,
                A = pa, Lda = lda, B = pb, Ldb = ldb, C = pc, Ldc = ldc,
                Mc = mc, Nc = nc, ColBlocks = colBlocks, Kind = kind, NrCols = nr,
            };
            if (!parallel || tasks == 1)
            {
                for (int t = 0; t < tasks; t++) RunBlock(in job, t);
            }
            else
            {
                var jobCopy = job;
                Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => RunBlock(in jobCopy, t));
            }
        }
    }

    private struct Job
    {
        public bool TransA, TransB;
        public int M, N, K;
        public float Alpha;
        public float* A, B, C;
        public int Lda, Ldb, Ldc;
        public int Mc, Nc, ColBlocks, NrCols;
        public GemmKernelKind Kind;
    }

    private static void RunBlock(in Job job, int task)
    {
        int nr = job.NrCols;
        int i0 = task / job.ColBlocks * job.Mc, j0 = task % job.ColBlocks * job.Nc;
        int mcCur = Math.Min(job.Mc, job.M - i0), ncCur = Math.Min(job.Nc, job.N - j0);
        int mPanels = (mcCur + Mr - 1) / Mr, nPanels = (ncCur + nr - 1) / nr;
        int kcMax = Math.Min(Kc, job.K);
        var aBuf = Buffer(ref t_aPack, mPanels * Mr * kcMax);
        var bBuf = Buffer(ref t_bPack, nPanels * nr * kcMax);
        float* tile = stackalloc float[Mr * 32];
        fixed (float* ap = aBuf)
        fixed (float* bp = bBuf)
        {
            for (int p0 = 0; p0 < job.K; p0 += Kc)
            {
                int kc = Math.Min(Kc, job.K - p0);
                PackA(job.A, job.Lda, job.TransA, i0, mcCur, p0, kc, ap);
                PackB(job.B, job.Ldb, job.TransB, p0, kc, j0, ncCur, nr, bp);
                for (int jp = 0; jp < nPanels; jp++)
                {
                    int jr = jp * nr, cols = Math.Min(nr, ncCur - jr);
                    float* bPanel = bp + (long)jp * nr * kc;
                    for (int ip = 0; ip < mPanels; ip++)
                    {
                        int ir = ip * Mr, rows = Math.Min(Mr, mcCur - ir);
                        float* aPanel = ap + (long)ip * Mr * kc;
                        float* cTile = job.C + (long)(i0 + ir) * job.Ldc + j0 + jr;
                        if (rows == Mr && cols == nr)
                        {
                            Micro(job.Kind, kc, aPanel, bPanel, cTile, job.Ldc, job.Alpha);
                        }
                        else
                        {
                            new Span<float>(tile, Mr * nr).Clear();
                            Micro(job.Kind, kc, aPanel, bPanel, tile, nr, job.Alpha);
                            for (int r = 0; r < rows; r++)
                            {
                                float* dst = cTile + (long)r * job.Ldc;
                                float* src = tile + r * nr;
                                for (int q = 0; q < cols; q++) dst[q] += src[q];
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] Buffer(ref float[]? slot, int size)
    {
        if (slot is null || slot.Length < size) slot = GC.AllocateUninitializedArray<float>(Math.Max(size, 4096));
        return slot;
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    private static void ScaleC(float beta, Span<float> c, int m, int n, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Packs op(A)[i0..i0+mc, p0..p0+kc] into MR-row panels: dst[panel][p·MR + r], zero padded.</summary>
    private static void PackA(float* a, int lda, bool trans, int i0, int mc, int p0, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += Mr)
        {
            int rows = Math.Min(Mr, mc - ir);
            float* panel = dst + (long)ir * kc;
            if (!trans)
            {
                for (int r = 0; r < Mr; r++)
                {
                    if (r < rows)
                    {
                        float* src = a + (long)(i0 + ir + r) * lda + p0;
                        for (int p = 0; p < kc; p++) panel[p * Mr + r] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) panel[p * Mr + r] = 0f;
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(p0 + p) * lda + i0 + ir;
                    float* d = panel + p * Mr;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < Mr; r++) d[r] = 0f;
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+nc] into NR-column panels: dst[panel][p·NR + q], zero padded.</summary>
    private static void PackB(float* b, int ldb, bool trans, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (long)jr * kc;
            if (!trans)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(p0 + p) * ldb + j0 + jr;
                    float* d = panel + p * nr;
                    if (cols == nr)
                    {
                        if (nr == 32)
                        {
                            Vector256.Store(Vector256.Load(src), d);
                            Vector256.Store(Vector256.Load(src + 8), d + 8);
                            Vector256.Store(Vector256.Load(src + 16), d + 16);
                            Vector256.Store(Vector256.Load(src + 24), d + 24);
                        }
                        else
                        {
                            Vector256.Store(Vector256.Load(src), d);
                            Vector256.Store(Vector256.Load(src + 8), d + 8);
                        }
                    }
                    else
                    {
                        int q = 0;
                        for (; q < cols; q++) d[q] = src[q];
                        for (; q < nr; q++) d[q] = 0f;
                    }
                }
            }
            else
            {
                for (int q = 0; q < nr; q++)
                {
                    if (q < cols)
                    {
                        float* src = b + (long)(j0 + jr + q) * ldb + p0;
                        for (int p = 0; p < kc; p++) panel[p * nr + q] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) panel[p * nr + q] = 0f;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro(GemmKernelKind kind, int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        switch (kind)
        {
            case GemmKernelKind.Vector512: Micro6x32(kc, a, b, c, ldc, alpha); break;
            case GemmKernelKind.Vector256: Micro6x16(kc, a, b, c, ldc, alpha); break;
            default: MicroScalar(kc, a, b, c, ldc, alpha); break;
        }
    }

    /// <summary>C[6×16] += alpha · Σ_p a[p·6 + r] · b[p·16 + q] with 12 Vector256 accumulators.</summary>
    private static void Micro6x16(int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a += Mr;
            b += 16;
        }
        var va = Vector256.Create(alpha);
        Add2(c, c00, c01, va); c += ldc;
        Add2(c, c10, c11, va); c += ldc;
        Add2(c, c20, c21, va); c += ldc;
        Add2(c, c30, c31, va); c += ldc;
        Add2(c, c40, c41, va); c += ldc;
        Add2(c, c50, c51, va);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add2(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alpha)
    {
        Vector256.Store(Vector256.FusedMultiplyAdd(x0, alpha, Vector256.Load(c)), c);
        Vector256.Store(Vector256.FusedMultiplyAdd(x1, alpha, Vector256.Load(c + 8)), c + 8);
    }

    /// <summary>C[6×32] += alpha · Σ_p a[p·6 + r] · b[p·32 + q] with 12 Vector512 accumulators.</summary>
    private static void Micro6x32(int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            a += Mr;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        Add2(c, c00, c01, va); c += ldc;
        Add2(c, c10, c11, va); c += ldc;
        Add2(c, c20, c21, va); c += ldc;
        Add2(c, c30, c31, va); c += ldc;
        Add2(c, c40, c41, va); c += ldc;
        Add2(c, c50, c51, va);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add2(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> alpha)
    {
        Vector512.Store(Vector512.FusedMultiplyAdd(x0, alpha, Vector512.Load(c)), c);
        Vector512.Store(Vector512.FusedMultiplyAdd(x1, alpha, Vector512.Load(c + 16)), c + 16);
    }

    /// <summary>Portable C[6×16] += alpha · Σ_p a[p·6 + r] · b[p·16 + q].</summary>
    private static void MicroScalar(int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        float* acc = stackalloc float[Mr * 16];
        new Span<float>(acc, Mr * 16).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < Mr; r++)
            {
                float av = a[r];
                float* row = acc + r * 16;
                for (int q = 0; q < 16; q++) row[q] += av * b[q];
            }
            a += Mr;
            b += 16;
        }
        for (int r = 0; r < Mr; r++)
            for (int q = 0; q < 16; q++) c[(long)r * ldc + q] += alpha * acc[r * 16 + q];
    }
}
