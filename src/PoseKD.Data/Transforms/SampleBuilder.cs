using PoseKD.Data.Bop;
using PoseKD.Data.Imaging;
using PoseKD.Data.Synthesis;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Rotations;

namespace PoseKD.Data.Transforms;

/// <summary>
/// Turns dataset image i into a network <see cref="Sample"/> with the reference's transform chain:
/// train — resize to the internal camera, occlusion, background, shift-scale-rotate, HSV, sharpen, smooth, noise,
/// grayscale, normalise, drop instances under 10 px, DZI train crop; test — resize, grayscale, normalise, DZI
/// test crop (GT box of instance 0, or the detections file's box). Every pose change is re-derived by EPnP.
/// All randomness comes from the <see cref="Random"/> passed in.
/// </summary>
public sealed class SampleBuilder
{
    private readonly string[] _backgrounds;

    /// <summary>The dataset.</summary>
    public BopDataset Dataset { get; }

    /// <summary>Transform settings.</summary>
    public TransformOptions Options { get; }

    /// <summary>Training (augment, random DZI) or test (deterministic) mode.</summary>
    public bool Training { get; }

    /// <summary>Optional detector boxes for test crops.</summary>
    public Detections? Detections { get; init; }

    /// <summary>Creates the builder; the dataset must have keypoints (a 3D box file).</summary>
    public SampleBuilder(BopDataset dataset, TransformOptions options, bool training)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (dataset.Keypoints == null) throw new ArgumentException("the dataset needs a 3D box file (keypoints) for transforms");
        Dataset = dataset; Options = options; Training = training;
        _backgrounds = options.BackgroundDir != null && Directory.Exists(options.BackgroundDir)
            ? Directory.GetFiles(options.BackgroundDir).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    /// <summary>Builds sample <paramref name="index"/>; null when it cannot be used (load failure, or in training no instance left), with the reason.</summary>
    public Sample? Build(int index, Random rng, out string? problem)
    {
        if (!Dataset.TryLoad(index, out var bs, out var img, out problem)) return null;
        var o = Options;
        var kp = Dataset.Keypoints!;
        var target = new PoseTarget
        {
            K = bs!.K, Width = bs.Width, Height = bs.Height,
            Labels = bs.Labels.Length > 0 ? (byte[])bs.Labels.Clone() : new byte[img!.Width * img.Height],
            ClassIds = bs.Instances.Select(x => x.ClassId).ToList(),
            R = bs.Instances.Select(x => (double[])x.R.Clone()).ToList(),
            T = bs.Instances.Select(x => (double[])x.T.Clone()).ToList(),
        };
        if (bs.Instances.Count == 0) { target.Width = img!.Width; target.Height = img.Height; }
        int w = o.InternalWidth, h = o.InternalHeight;
        // resize to the internal camera: the affine part of K_int · K⁻¹
        var kInv = Camera.InvertK(bs.K);
        var m3 = RotationMath.Multiply(o.InternalK, kInv);
        var resize = Affine2D.FromMatrix3x3(m3);
        byte[] rgb;
        if (img!.Width == w && img.Height == h && IsIdentity(resize)) rgb = (byte[])img.Data.Clone(); // the warp would copy
        else
        {
            rgb = new byte[w * h * 3];
            ImageWarp.BilinearU8(img.Data, resize, 128, rgb, img.Width, img.Height, w, h, 3);
        }
        target.Transform(resize, o.InternalK, w, h, kp);
        if (Training)
        {
            Augment.Occlusion(rng, o.Occlusion, rgb, target);
            if (_backgrounds.Length > 0 && rng.NextDouble() < 0.5)
            {
                var bg = new byte[w * h * 3];
                Backgrounds.FromImage(ImageFile.Read(_backgrounds[rng.Next(_backgrounds.Length)]), bg, w, h);
                for (int p = 0; p < w * h; p++)
                    if (target.Labels[p] == 0) { rgb[3 * p] = bg[3 * p]; rgb[3 * p + 1] = bg[3 * p + 1]; rgb[3 * p + 2] = bg[3 * p + 2]; }
            }
            if (o.Shift + o.Scale + o.RotationDeg > 0.01)
            {
                var ssr = Augment.ShiftScaleRotate(rng, o.Shift, o.Scale, o.RotationDeg, w, h);
                var m = ssr[..6];
                var warped = new byte[rgb.Length];
                ImageWarp.BilinearU8(rgb, m, 128, warped, w, h, w, h, 3);
                rgb = warped;
                target.Transform(m, o.InternalK, w, h, kp);
            }
            Augment.Hsv(rng, o.HueRatio, o.SaturationRatio, o.ValueRatio, rgb);
            Augment.Sharpen(rng, o.Sharpen, rgb, w, h);
            Augment.Smooth(rng, o.Smooth, rgb, w, h);
            Augment.Noise(rng, o.Noise, rgb);
        }
        if (o.Grayscale) Augment.Grayscale(rgb);
        target.RemoveInvalid(o.MinMaskArea);
        if (Training && target.Count == 0) { problem = $"{bs.ImagePath}: no instance with ≥ {o.MinMaskArea} visible pixels"; return null; }

        double[]? box = null;
        if (!Training && Detections != null && bs.Instances.Count > 0)
        {
            var det = Detections.Box(bs.SceneId, bs.ImId, bs.Instances[0].ObjId);
            if (det != null)
            {
                var (x1, y1) = Affine2D.Apply(resize, det[0], det[1]);
                var (x2, y2) = Affine2D.Apply(resize, det[2], det[3]);
                box = [Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2)];
            }
        }
        box ??= target.Count > 0 ? target.ObjectBox(0, kp) : [0, 0, w, h];
        var (cx, cy, side) = Training
            ? Dzi.TrainCrop(rng, box, w, h, o.DziPadScale, o.DziShiftRatio, o.DziScaleRatio)
            : Dzi.TestCrop(box, w, h, o.DziPadScale);
        int s = o.InputRes;
        var trans = Dzi.CropTransform(cx, cy, side, s);
        var crop = new float[3 * s * s];
        ImageWarp.BilinearU8ToPlanarNormalized(rgb, trans, o.PixelMean, o.PixelStd, crop, w, h, s, s, 3); // = Normalize, then warp
        var labels = new byte[s * s];
        ImageWarp.NearestU8(target.Labels, trans, 0, labels, w, h, s, s);
        var keypoints = new double[target.Count][];
        for (int i = 0; i < target.Count; i++)
        {
            var px = target.Keypoints2d(i, kp);
            Affine2D.Apply(trans, px, px);
            keypoints[i] = px;
        }
        problem = null;
        return new Sample
        {
            Image = crop, Size = s, Labels = labels, ClassIds = target.ClassIds.ToArray(), R = target.R.ToArray(), T = target.T.ToArray(),
            K = (double[])o.InternalK.Clone(), BboxTrans = trans, BboxScale = s / side, Keypoints = keypoints,
            Path = bs.ImagePath, OriginalK = bs.K, OriginalWidth = img.Width, OriginalHeight = img.Height,
            OriginalR = bs.Instances.Select(x => x.R).ToArray(), OriginalT = bs.Instances.Select(x => x.T).ToArray(),
            Index = index, SceneId = bs.SceneId, ImId = bs.ImId,
        };
    }

    // Within 1e-9 of the identity a bilinear byte warp of an image ≤ 10⁵ px wide returns the source bytes (every sample
    // lands within 1e-4 px of a pixel centre, and rounding restores the integer).
    private static bool IsIdentity(double[] m) =>
        Math.Abs(m[0] - 1) < 1e-9 && Math.Abs(m[1]) < 1e-9 && Math.Abs(m[2]) < 1e-9 && Math.Abs(m[3]) < 1e-9 && Math.Abs(m[4] - 1) < 1e-9 && Math.Abs(m[5]) < 1e-9;

    /// <summary>RGB bytes [h, w, 3] → planar floats [3, h, w]: (v/255 − mean_c)/std_c.</summary>
    public static float[] Normalize(byte[] rgb, int w, int h, double[] mean, double[] std)
    {
        var o = new float[3 * w * h];
        int n = w * h;
        for (int c = 0; c < 3; c++)
        {
            float m = (float)mean[c], s = (float)std[c];
            for (int p = 0; p < n; p++) o[c * n + p] = (rgb[3 * p + c] / 255f - m) / s;
        }
        return o;
    }

}
