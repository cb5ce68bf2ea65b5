using PoseKD.Engine.Interop;
using PoseKD.Engine.Kernels;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 37, 19 }, { 37, 1, 19 }, { 23, 29, 1 }, { 1, 1, 300 },
        { 300, 7, 5 }, { 7, 300, 5 }, { 513, 3, 2 }, { 2, 513, 3 },
        { 6, 16, 8 }, { 12, 32, 256 }, { 13, 33, 257 }, { 130, 150, 260 }, { 125, 1030, 9 }, { 64, 64, 600 },
    };

    public static TheoryData<bool, bool, float, float> Modes => new()
    {
        { false, false, 1f, 0f }, { true, false, -0.5f, 0.75f }, { false, true, 2f, 1f }, { true, true, 1.5f, -2f },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Managed_AllKernelsAllTransposes_MatchesReference(int m, int n, int k)
    {
        foreach (var kind in new[] { GemmKernelKind.Vector256, GemmKernelKind.Vector512, GemmKernelKind.Scalar })
            foreach (var (ta, tb, alpha, beta) in ModeList())
                CheckAgainstReference(m, n, k, ta, tb, alpha, beta, pad: 0, seed: m * 31 + n * 7 + k,
                    (ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc) => Gemm.ManagedWith(kind, 0, ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc),
                    $"{kind}");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Managed_LeadingDimensionsLargerThanWidth_MatchesReference(bool ta, bool tb, float alpha, float beta)
    {
        foreach (var (m, n, k) in new[] { (19, 23, 17), (70, 45, 300), (5, 200, 3) })
            CheckAgainstReference(m, n, k, ta, tb, alpha, beta, pad: 5, seed: 11,
                (ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc) => Gemm.Managed(ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc),
                "managed");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OpenBlas_RandomShapes_MatchesReferenceAndManaged(int m, int n, int k)
    {
        Assert.True(OpenBlas.IsAvailable, $"{OpenBlas.LibraryName} did not load: install the Debian package {OpenBlas.DebianPackage}");
        foreach (var (ta, tb, alpha, beta) in ModeList())
        {
            foreach (int pad in new[] { 0, 3 })
            {
                CheckAgainstReference(m, n, k, ta, tb, alpha, beta, pad, seed: m + n + k + pad,
                    (ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc) => OpenBlas.Sgemm(ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc),
                    "openblas");
                var (blas, managed) = (Run(OpenBlas.Sgemm), Run((ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc) => Gemm.Managed(ta_, tb_, m_, n_, k_, al, a, lda, b, ldb, be, c, ldc)));
                Numeric.AssertClose(blas, managed, Tol(k), 1e-5, $"openblas vs managed {m}x{n}x{k} ta={ta} tb={tb}");

                float[] Run(GemmCall call)
                {
                    var (a, lda, b, ldb, c, ldc) = Inputs(m, n, k, ta, tb, pad, seed: 5);
                    call(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                    return c;
                }
            }
        }
    }

    [Fact]
    public void Sgemm_ZeroSizes_LeavesOrScalesC()
    {
        foreach (var path in new GemmCall[] { Gemm.Sgemm, Gemm.Managed, Gemm.Reference })
        {
            var c = new float[] { 1, 2, 3, 4, 5, 6 };
            path(false, false, 2, 3, 0, 1f, [], 0, [], 3, 0.5f, c, 3); // k = 0: C = beta·C
            Numeric.AssertClose(new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 }, c, 0, 0);
            path(false, false, 0, 3, 4, 1f, [], 4, new float[12], 3, 0f, c, 3); // m = 0: untouched
            path(false, false, 2, 0, 4, 1f, new float[8], 4, [], 0, 0f, c, 3); // n = 0: untouched
            Numeric.AssertClose(new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 }, c, 0, 0);
        }
    }

    [Fact]
    public void Sgemm_BetaZero_OverwritesNaNInC()
    {
        foreach (var path in new GemmCall[] { Gemm.Sgemm, Gemm.Managed })
        {
            var c = new float[] { float.NaN, float.NaN };
            path(false, false, 1, 2, 1, 1f, new float[] { 2 }, 1, new float[] { 3, 4 }, 2, 0f, c, 2);
            Numeric.AssertClose(new float[] { 6, 8 }, c, 0, 0);
        }
    }

    [Fact]
    public void Sgemm_BadLeadingDimensionOrShortSpan_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, new float[6], 2, new float[6], 2, 0f, new float[4], 2));
        Assert.Contains("leading dimension of A", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 2, 3, 1f, new float[6], 3, new float[5], 3, 0f, new float[4], 2));
        Assert.Contains("B is 2×3", ex.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Managed(false, false, -1, 2, 3, 1f, [], 3, new float[6], 2, 0f, new float[4], 2));
    }

    [Fact]
    public void Sgemm_Dispatch_FollowsAvailabilityAndSetting()
    {
        Assert.Equal(NativeSettings.UseBlas && OpenBlas.IsAvailable, Gemm.UsesOpenBlas);
        CheckAgainstReference(40, 50, 60, false, true, 1f, 0f, 0, 3,
            (ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc) => Gemm.Sgemm(ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc), "sgemm");
    }

    [Fact]
    public void Managed_SingleThreadAndParallel_AgreeExactly()
    {
        var (a, lda, b, ldb, c1, ldc) = Inputs(200, 300, 100, false, false, 0, 9);
        var c2 = (float[])c1.Clone();
        Gemm.ManagedWith(GemmKernelKind.Vector256, 1, false, false, 200, 300, 100, 1f, a, lda, b, ldb, 0.5f, c1, ldc);
        Gemm.ManagedWith(GemmKernelKind.Vector256, 4, false, false, 200, 300, 100, 1f, a, lda, b, ldb, 0.5f, c2, ldc);
        Numeric.AssertClose(c1, c2, 0, 0);
    }

    internal delegate void GemmCall(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    private static IEnumerable<(bool, bool, float, float)> ModeList()
    {
        foreach (var row in Modes) yield return ((bool)row[0], (bool)row[1], (float)row[2], (float)row[3]);
    }

    private static double Tol(int k) => 2e-6 * k + 1e-6;

    private static void CheckAgainstReference(int m, int n, int k, bool ta, bool tb, float alpha, float beta, int pad, int seed, GemmCall call, string what)
    {
        var (a, lda, b, ldb, c, ldc) = Inputs(m, n, k, ta, tb, pad, seed);
        var expected = (float[])c.Clone();
        Gemm.Reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        call(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Numeric.AssertClose(expected, c, Tol(k), 1e-5, $"{what} {m}x{n}x{k} ta={ta} tb={tb} alpha={alpha} beta={beta} pad={pad}");
    }

    /// <summary>Random A, B, C with leading dimensions widened by <paramref name="pad"/>; padding holds sentinels.</summary>
    private static (float[] a, int lda, float[] b, int ldb, float[] c, int ldc) Inputs(int m, int n, int k, bool ta, bool tb, int pad, int seed)
    {
        var rng = new Random(seed);
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] Fill(int rows, int ld) { var x = new float[rows * ld]; for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1); return x; }
        return (Fill(aRows, lda), lda, Fill(bRows, ldb), ldb, Fill(m, ldc), ldc);
    }
}
