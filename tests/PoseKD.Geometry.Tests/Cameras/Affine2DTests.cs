using PoseKD.Geometry.Cameras;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Cameras;

public class Affine2DTests
{
    [Fact]
    public void CropTransform_Centre_MapsToOutputCentreAndScales()
    {
        var a = Affine2D.CropTransform(300, 200, 128, 256, 256);
        var (x, y) = Affine2D.Apply(a, 300, 200);
        Numeric.AssertClose(128, x, 1e-9, 0);
        Numeric.AssertClose(128, y, 1e-9, 0);
        // Scale 256 / 128 = 2, no rotation: [2 0 -472; 0 2 -272]
        Numeric.AssertClose(2, a[0], 1e-12, 0);
        Numeric.AssertClose(0, a[1], 1e-12, 0);
        Numeric.AssertClose(-472, a[2], 1e-9, 0);
        Numeric.AssertClose(2, a[4], 1e-12, 0);
        Numeric.AssertClose(-272, a[5], 1e-9, 0);
    }

    [Fact]
    public void CropTransform_Inverse_IsInverse()
    {
        var a = Affine2D.CropTransform(310.5, 190.25, 201.7, 256, 256, rotationDeg: 17);
        var b = Affine2D.CropTransform(310.5, 190.25, 201.7, 256, 256, rotationDeg: 17, inverse: true);
        var c = Affine2D.Compose(b, a);
        Numeric.AssertClose(Affine2D.Identity().Select(v => (float)v).ToArray(), c.Select(v => (float)v).ToArray(), 1e-9, 0);
        var inv = Affine2D.Invert(a);
        Numeric.AssertClose(b.Select(v => (float)v).ToArray(), inv.Select(v => (float)v).ToArray(), 1e-6, 1e-6);
    }

    [Fact]
    public void FromPoints_ThreePoints_MapsExactly()
    {
        double[] src = [0, 0, 1, 0, 0, 1];
        double[] dst = [5, 6, 7, 6, 5, 9];
        var a = Affine2D.FromPoints(src, dst);
        var outp = new double[6];
        Affine2D.Apply(a, src, outp);
        Numeric.AssertClose(dst.Select(v => (float)v).ToArray(), outp.Select(v => (float)v).ToArray(), 1e-12, 0);
        Assert.Throws<ArgumentException>(() => Affine2D.FromPoints([0, 0, 1, 1, 2, 2], dst));
    }

    [Fact]
    public void Compose_AppliesInnerFirst()
    {
        double[] shift = [1, 0, 10, 0, 1, 0];
        double[] scale = [2, 0, 0, 0, 2, 0];
        var c = Affine2D.Compose(scale, shift);
        var (x, _) = Affine2D.Apply(c, 1, 1);
        Assert.Equal(22, x);
    }
}
