using PoseKD.Data.Bop;
using PoseKD.Data.Transforms;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Rotations;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Tests.Transforms;

public sealed class TransformTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    private static readonly double[] LinemodK = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Remap_ShiftScaleRotate_ReprojectsKeypointsOntoWarpedPositions(int seed)
    {
        var rng = new Random(seed);
        var corners = MeshGeometry.BoxCorners([-60, -40, -30], [60, 40, 30]);
        double[] r = RandomRotation(rng), t = [rng.NextDouble() * 100 - 50, rng.NextDouble() * 100 - 50, 700 + rng.NextDouble() * 300];
        var m = Augment.ShiftScaleRotate(rng, 0.05, 0.05, 10, 640, 480)[..6];
        var (r2, t2, err) = PoseRemap.Remap(LinemodK, r, t, corners, LinemodK, m);
        var before = new double[16]; var after = new double[16];
        Camera.Project(r, t, LinemodK, corners, before);
        Affine2D.Apply(m, before, before);
        Camera.Project(r2, t2, LinemodK, corners, after);
        for (int i = 0; i < 8; i++)
            Assert.True(Math.Sqrt(Math.Pow(before[2 * i] - after[2 * i], 2) + Math.Pow(before[2 * i + 1] - after[2 * i + 1], 2)) < 0.5, $"keypoint {i}");
        Assert.True(err < 0.5);
    }

    [Fact]
    public void Remap_ToInternalCamera_ReprojectsKeypointsOntoWarpedPositions()
    {
        double[] k = [600, 0, 300, 0, 610, 250, 0, 0, 1];
        var warp = Affine2D.FromMatrix3x3(RotationMath.Multiply(LinemodK, Camera.InvertK(k)));
        var corners = MeshGeometry.BoxCorners([-50, -50, -50], [50, 70, 40]);
        double[] r = [0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6], t = [30, -20, 800];
        var (r2, t2, err) = PoseRemap.Remap(k, r, t, corners, LinemodK, warp);
        Assert.True(err < 0.5, $"mean error {err} px");
        var a = new double[16]; var b = new double[16];
        Camera.Project(r, t, k, corners, a);
        Affine2D.Apply(warp, a, a);
        Camera.Project(r2, t2, LinemodK, corners, b);
        for (int i = 0; i < 16; i++) Assert.True(Math.Abs(a[i] - b[i]) < 0.5);
    }

    [Fact]
    public void Dzi_CropThenInverse_RoundTripsExactly()
    {
        var rng = new Random(5);
        for (int n = 0; n < 20; n++)
        {
            double[] box = [100 + rng.NextDouble() * 300, 80 + rng.NextDouble() * 200, 0, 0];
            box[2] = box[0] + 20 + rng.NextDouble() * 150; box[3] = box[1] + 20 + rng.NextDouble() * 150;
            var (cx, cy, side) = n % 2 == 0 ? Dzi.TestCrop(box, 640, 480) : Dzi.TrainCrop(rng, box, 640, 480);
            var fwd = Dzi.CropTransform(cx, cy, side, 256);
            var inv = Affine2D.CropTransform(cx, cy, side, 256, 256, inverse: true);
            double[] p = [box[0], box[1], box[2], box[3], cx, cy];
            var q = new double[6];
            Affine2D.Apply(fwd, p, q);
            Affine2D.Apply(inv, q, q);
            for (int i = 0; i < 6; i++) Assert.Equal(p[i], q[i], 9);
            var c = Affine2D.Apply(fwd, cx, cy);
            Assert.Equal(128, c.X, 9);
            Assert.Equal(128, c.Y, 9);
            Assert.Equal(256 / side, fwd[0], 9);
        }
        var (_, _, s) = Dzi.TestCrop([10, 10, 400, 500], 640, 480);
        Assert.Equal(640, s);
    }

    [Fact]
    public void ImageWarp_IdentityAndIntegerShift_Exact()
    {
        var rng = new Random(2);
        var src = new byte[20 * 10 * 3];
        rng.NextBytes(src);
        var dst = new byte[src.Length];
        ImageWarp.BilinearU8(src, [1, 0, 0, 0, 1, 0], 128, dst, 20, 10, 20, 10, 3);
        Assert.Equal(src, dst);
        var lab = new byte[200];
        rng.NextBytes(lab);
        var shifted = new byte[200];
        ImageWarp.NearestU8(lab, [1, 0, 3, 0, 1, -2], 0, shifted, 20, 10, 20, 10);
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 20; x++)
            {
                int sx = x - 3, sy = y + 2;
                Assert.Equal(sx >= 0 && sy < 10 ? lab[sy * 20 + sx] : 0, shifted[y * 20 + x]);
            }
        ImageWarp.BilinearU8(src, [1, 0, 100, 0, 1, 0], 128, dst, 20, 10, 20, 10, 3);
        Assert.All(dst, v => Assert.Equal(128, v));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ImageWarp_BilinearU8FastPath_BitIdenticalToReference(int seed)
    {
        var rng = new Random(seed);
        int sw = 41, sh = 29, dw = 37, dh = 31;
        var src = new byte[sw * sh * 3];
        rng.NextBytes(src);
        // rotation + scale + shift that maps part of the output outside the source (border and edge taps)
        double a = (rng.NextDouble() - 0.5) * 1.2, s = 0.8 + 0.5 * rng.NextDouble();
        double[] m = [s * Math.Cos(a), -s * Math.Sin(a), 10 * rng.NextDouble() - 5, s * Math.Sin(a), s * Math.Cos(a), 10 * rng.NextDouble() - 5];
        var fast = new byte[dw * dh * 3];
        var reference = new byte[dw * dh * 3];
        ImageWarp.BilinearU8(src, m, 77, fast, sw, sh, dw, dh, 3);
        ImageWarp.BilinearU8Reference(src, m, 77, reference, sw, sh, dw, dh, 3);
        Assert.Equal(reference, fast);
        Assert.Contains(fast, v => v == 77);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ImageWarp_NormalizedCrop_BitIdenticalToNormalizeThenWarp(int seed)
    {
        // The fused crop must equal the two-pass path it replaced (normalise the whole image, then warp with border 0),
        // including samples that straddle the image edge.
        var rng = new Random(seed);
        int sw = 37, sh = 23, s = 16;
        var src = new byte[sw * sh * 3];
        rng.NextBytes(src);
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        double side = 10 + 30 * rng.NextDouble(), cx = 4 * rng.NextDouble(), cy = sh - 4 * rng.NextDouble(); // near a corner
        var m = Dzi.CropTransform(cx, cy, side, s);
        var expected = new float[3 * s * s];
        ImageWarp.BilinearPlanarF32(SampleBuilder.Normalize(src, sw, sh, mean, std), m, 0f, expected, sw, sh, s, s, 3);
        var actual = new float[3 * s * s];
        ImageWarp.BilinearU8ToPlanarNormalized(src, m, mean, std, actual, sw, sh, s, s, 3);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, v => v == 0f); // the crop reaches outside the image
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Build_GeneratedImage_KeypointsAndLabelsConsistentInCrop(bool training)
    {
        var ds = BopDataset.FromListFile(Path.Combine(data.Root, "000001_test.txt"), Path.Combine(data.Root, "models"), Path.Combine(data.Root, "linemod_bbox.json"));
        var opt = new TransformOptions { InternalWidth = 160, InternalHeight = 120, InternalK = [150, 0, 78, 0, 150, 61, 0, 0, 1], InputRes = 64, Occlusion = 0.5, Noise = 0.05, HueRatio = 0.1, ValueRatio = 0.1 };
        var b = new SampleBuilder(ds, opt, training);
        for (int i = 0; i < ds.Count; i++)
        {
            var s = b.Build(i, new Random(i), out var problem);
            Assert.True(s != null, problem);
            Assert.Equal(3 * 64 * 64, s!.Image.Length);
            Assert.Single(s.ClassIds);
            var px = new double[16];
            Camera.Project(s.R[0], s.T[0], s.K, ds.Keypoints![0], px);
            Affine2D.Apply(s.BboxTrans, px, px);
            for (int k = 0; k < 16; k++) Assert.Equal(px[k], s.Keypoints[0][k], 6);
            // the object's crop labels lie inside the keypoints' box (with a pixel of slack for resampling)
            double x0 = Enumerable.Range(0, 8).Min(k => px[2 * k]) - 1.5, x1 = Enumerable.Range(0, 8).Max(k => px[2 * k]) + 1.5;
            double y0 = Enumerable.Range(0, 8).Min(k => px[2 * k + 1]) - 1.5, y1 = Enumerable.Range(0, 8).Max(k => px[2 * k + 1]) + 1.5;
            int inside = 0, total = 0;
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    if (s.Labels[y * 64 + x] == 1) { total++; if (x >= x0 && x <= x1 && y >= y0 && y <= y1) inside++; }
            Assert.True(total > 0);
            Assert.Equal(total, inside);
            if (!training) Assert.Equal(s.OriginalR[0], ds.LoadAnnotation(i).Instances[0].R);
        }
    }


    private static double[] RandomRotation(Random rng)
    {
        double u1 = rng.NextDouble(), u2 = rng.NextDouble() * 2 * Math.PI, u3 = rng.NextDouble() * 2 * Math.PI;
        double a = Math.Sqrt(1 - u1), bb = Math.Sqrt(u1);
        double w = a * Math.Sin(u2), x = a * Math.Cos(u2), y = bb * Math.Sin(u3), z = bb * Math.Cos(u3);
        return [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), 2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), 2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)];
    }
}
