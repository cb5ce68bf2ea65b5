using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Cameras;
using PoseKD.Model.Targets;
using PoseKD.TestSupport;

namespace PoseKD.Model.Tests.Targets;

public sealed class TargetCoderTests
{
    private static readonly double[] K = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];
    private static readonly double[] Box = Corners(40, 30, 50);
    private static readonly double[] R = PoseKD.Geometry.Rotations.RotationMath.AxisAngle([0.3, -0.5, 0.8], 0.9);
    private static readonly double[] T = [20, -15, 600];
    private static readonly double[] Trans = [0.9, 0.12, -150, -0.1, 0.95, -80];

    internal static double[] Corners(double hx, double hy, double hz)
    {
        var c = new double[24];
        for (int i = 0; i < 8; i++) { c[3 * i] = (i & 4) != 0 ? hx : -hx; c[3 * i + 1] = (i & 2) != 0 ? hy : -hy; c[3 * i + 2] = (i & 1) != 0 ? hz : -hz; }
        return c;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EncodeDecode_RoundTrip_RecoversProjection(bool withTrans)
    {
        var trans = withTrans ? Trans : [];
        var off = new float[16];
        TargetCoder.Encode(K, Box, R, T, trans, 100, 84, 64, off);
        var kp = new float[16];
        TargetCoder.Decode(off, 100, 84, 64, trans, kp);
        var px = new double[16];
        Camera.Project(R, T, K, Box, px);
        for (int j = 0; j < 8; j++)
        {
            Assert.Equal(px[2 * j], kp[j], 2);
            Assert.Equal(px[2 * j + 1], kp[8 + j], 2);
        }
    }

    [Fact]
    public void Encode_OffsetsAreAnchorUnits_XFirst()
    {
        var off = new float[16];
        var pix = new double[16];
        for (int j = 0; j < 8; j++) { pix[2 * j] = 100 + 32 * j; pix[2 * j + 1] = 84 - 16 * j; }
        TargetCoder.EncodePixels(pix, 100, 84, 32, off);
        for (int j = 0; j < 8; j++) { Assert.Equal(j, off[j], 6); Assert.Equal(-0.5 * j, off[8 + j], 6); }
    }

    [Fact]
    public void DecodeTensor_EqualsSpanDecode_AndGradientIsScaledInverse()
    {
        var gen = new Generator(3);
        var offsets = Tensor.Randn(gen, 3, 16);
        offsets.RequiresGrad = true;
        float[] cx = [4, 20, 100], cy = [12, 4, 60], sz = [32, 64, 128];
        var trans = new[] { Trans, Trans, new double[] { 2, 0, 5, 0, 2, -3 } };
        var dec = TargetCoder.Decode(offsets, cx, cy, sz, trans);
        var kp = new float[16];
        for (int i = 0; i < 3; i++)
        {
            TargetCoder.Decode(offsets.Data.AsSpan(16 * i, 16), cx[i], cy[i], sz[i], trans[i], kp);
            Numeric.AssertClose(kp, dec.Data.AsSpan(16 * i, 16), atol: 1e-4, rtol: 1e-6);
        }
        // d(Σ x_j)/d(offset x_j) = s·(M⁻¹)₀₀, d(Σ x_j)/d(offset y_j) = s·(M⁻¹)₀₁ — row 2: M⁻¹ = ½·I
        var pts = TargetCoder.ToPoints(dec);
        Assert.Equal([3, 8, 2], pts.Shape);
        PoseKD.Engine.Functional.F.Narrow(pts, 2, 0, 1).Sum().Backward();
        for (int j = 0; j < 8; j++)
        {
            Assert.Equal(64, offsets.Grad!.Data[32 + j], 4);
            Assert.Equal(0, offsets.Grad!.Data[32 + 8 + j], 4);
        }
    }

    [Fact]
    public void Decode_SingularTrans_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => TargetCoder.Decode(new float[16], 0, 0, 32, [1, 2, 0, 2, 4, 0], new float[16]));
        Assert.Contains("not invertible", ex.Message);
    }
}
