using PoseKD.Geometry.LinearAlgebra;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.LinearAlgebra;

public class SmallMatrixTests
{
    private static double[] RandomSymmetric(int n, int seed, int rank = -1)
    {
        var rng = new Random(seed);
        int r = rank < 0 ? n + 2 : rank;
        var m = new double[r * n];
        for (int i = 0; i < m.Length; i++) m[i] = TestData.Gauss(rng);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < r; k++) a[i * n + j] += m[k * n + i] * m[k * n + j];
        return a;
    }

    [Theory]
    [InlineData(3, 1, -1)]
    [InlineData(4, 2, -1)]
    [InlineData(12, 3, -1)]
    [InlineData(12, 4, 10)]
    [InlineData(12, 5, 5)]
    public void SymmetricEigenQl_RandomMatrix_SatisfiesAvEqualsLambdaV(int n, int seed, int rank)
    {
        var a0 = RandomSymmetric(n, seed, rank);
        var a = (double[])a0.Clone();
        var w = new double[n];
        var v = new double[n * n];
        Assert.True(SmallMatrix.SymmetricEigenQl(a, w, v, n));
        var wj = new double[n];
        var vj = new double[n * n];
        Assert.True(SmallMatrix.SymmetricEigen((double[])a0.Clone(), wj, vj, n));
        double scale = w[n - 1];
        for (int k = 0; k < n; k++)
        {
            Numeric.AssertClose(wj[k], w[k], 1e-10 * scale, 0, "eigenvalue vs Jacobi");
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++) av += a0[i * n + j] * v[k * n + j];
                Numeric.AssertClose(w[k] * v[k * n + i], av, 1e-10 * scale, 0, "A v = λ v");
            }
            if (k > 0) Assert.True(w[k] >= w[k - 1]);
        }
    }

    [Fact]
    public void JacobiSvdOpenCvFull_Symmetric_GivesDescendingOrthonormalVectors()
    {
        var a0 = RandomSymmetric(3, 7);
        var a = (double[])a0.Clone();
        var w = new double[3];
        SmallMatrix.JacobiSvdOpenCvFull(a, w, new double[9], 3, 3);
        Assert.True(w[0] >= w[1] && w[1] >= w[2]);
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 3; i++)
            {
                double av = 0;
                for (int j = 0; j < 3; j++) av += a0[i * 3 + j] * a[k * 3 + j];
                Numeric.AssertClose(w[k] * a[k * 3 + i], av, 1e-10 * w[0], 0);
            }
    }

    [Fact]
    public void LeastSquares_OverdeterminedConsistent_RecoversSolution()
    {
        double[] a = [1, 2, 3, 4, 5, 6, 7, 8, 10, 1, 1, 1];
        double[] x0 = [1, -2, 0.5];
        var b = new double[4];
        for (int i = 0; i < 4; i++) b[i] = a[3 * i] * x0[0] + a[3 * i + 1] * x0[1] + a[3 * i + 2] * x0[2];
        var x = new double[3];
        Assert.True(SmallMatrix.LeastSquares((double[])a.Clone(), b, x, 4, 3));
        for (int i = 0; i < 3; i++) Numeric.AssertClose(x0[i], x[i], 1e-12, 0);
        Assert.False(SmallMatrix.LeastSquares([1, 2, 2, 4, 3, 6], [1, 2, 3], new double[2], 3, 2));
    }

    [Fact]
    public void AbsoluteOrientation_RotatedPoints_RecoversRotation()
    {
        var (r, _) = TestData.RandomPose(new Random(9));
        var rng = new Random(10);
        var s = new double[9];
        for (int p = 0; p < 10; p++)
        {
            double[] b = [TestData.Gauss(rng), TestData.Gauss(rng), TestData.Gauss(rng)];
            double[] a = [r[0] * b[0] + r[1] * b[1] + r[2] * b[2], r[3] * b[0] + r[4] * b[1] + r[5] * b[2], r[6] * b[0] + r[7] * b[1] + r[8] * b[2]];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) s[3 * i + j] += b[i] * a[j];
        }
        var est = new double[9];
        Assert.True(SmallMatrix.AbsoluteOrientation(s, est));
        Assert.True(TestData.RotationErrorDeg(r, est) < 1e-9);
    }
}
