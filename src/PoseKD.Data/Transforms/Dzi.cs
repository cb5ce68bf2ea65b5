using PoseKD.Geometry.Cameras;

namespace PoseKD.Data.Transforms;

/// <summary>
/// Dynamic zoom-in (docs/method.md §2): the square crop around an object box (x1, y1, x2, y2) that the network sees.
/// Test: centre = box centre, side = pad·max(w, h) (w, h ≥ 1). Train: centre + U(±shift)·(w, h), side =
/// pad·max(w, h)·(1 + U(±scale)). Both capped at max(image w, h). <c>bbox_trans</c> =
/// <see cref="Affine2D.CropTransform(double, double, double, int, int, double, double, double, bool)"/>.
/// </summary>
public static class Dzi
{
    /// <summary>Test-time crop (centre x, centre y, side).</summary>
    public static (double Cx, double Cy, double Side) TestCrop(ReadOnlySpan<double> box, int imageW, int imageH, double pad = 1.5)
    {
        double bw = Math.Max(box[2] - box[0], 1), bh = Math.Max(box[3] - box[1], 1);
        double side = Math.Min(Math.Max(bh, bw) * pad, Math.Max(imageW, imageH));
        return (0.5 * (box[0] + box[2]), 0.5 * (box[1] + box[3]), side);
    }

    /// <summary>Training crop with random shift and scale drawn from <paramref name="rng"/>.</summary>
    public static (double Cx, double Cy, double Side) TrainCrop(Random rng, ReadOnlySpan<double> box, int imageW, int imageH,
        double pad = 1.5, double shiftRatio = 0.25, double scaleRatio = 0.25)
    {
        double bw = box[2] - box[0], bh = box[3] - box[1];
        double scale = 1 + scaleRatio * (2 * rng.NextDouble() - 1);
        double sx = shiftRatio * (2 * rng.NextDouble() - 1), sy = shiftRatio * (2 * rng.NextDouble() - 1);
        double side = Math.Min(Math.Max(bh, bw) * scale * pad, Math.Max(imageW, imageH));
        return (0.5 * (box[0] + box[2]) + bw * sx, 0.5 * (box[1] + box[3]) + bh * sy, side);
    }

    /// <summary>The 2×3 map image → crop (<c>bbox_trans</c>) of a crop of <paramref name="side"/> px resampled to res × res.</summary>
    public static double[] CropTransform(double cx, double cy, double side, int res) => Affine2D.CropTransform(cx, cy, side, res, res);
}
