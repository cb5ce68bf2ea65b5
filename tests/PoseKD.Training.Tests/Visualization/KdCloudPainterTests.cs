using PoseKD.Data.Imaging;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;
using PoseKD.Training.Visualization;

namespace PoseKD.Training.Tests.Visualization;

public sealed class KdCloudPainterTests
{
    // crop = internal image region [200, 456] × [150, 406] scaled by 1 (bbox_trans = translation)
    private static readonly double[] Trans = [1, 0, -200, 0, 1, -150];

    internal static Image8 Crop()
    {
        var img = new Image8(256, 256, 3);
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++)
            {
                int i = (y * 256 + x) * 3;
                bool obj = Math.Pow((x - 128) / 70.0, 2) + Math.Pow((y - 128) / 50.0, 2) < 1;
                img.Data[i] = (byte)(obj ? 90 : 200 + y / 8);
                img.Data[i + 1] = (byte)(obj ? 110 : 200 + x / 8);
                img.Data[i + 2] = (byte)(obj ? 100 : 190);
            }
        return img;
    }

    /// <summary>Clouds around the 8 corners of a box in internal-image pixels: tight teacher, loose student.</summary>
    internal static (LocalPredictions Student, LocalPredictions Teacher) Clouds(ulong seed)
    {
        var gen = new Generator(seed);
        float[] cx = [258, 398, 262, 394, 272, 386, 278, 380], cy = [226, 232, 332, 326, 212, 220, 318, 312];
        LocalPredictions Make(int n, float spread, float wLo, float wHi)
        {
            var kp = Tensor.Zeros(n, 8, 2);
            var w = Tensor.Zeros(n);
            for (int c = 0; c < n; c++)
            {
                w.Data[c] = wLo + (wHi - wLo) * gen.NextFloat();
                for (int k = 0; k < 8; k++)
                {
                    kp.Data[(c * 8 + k) * 2] = cx[k] + spread * gen.NextNormal();
                    kp.Data[(c * 8 + k) * 2 + 1] = cy[k] + spread * gen.NextNormal();
                }
            }
            return new LocalPredictions(kp, w, Enumerable.Range(0, n).Select(i => new CellRef(1, i)).ToArray());
        }
        return (Make(10, 9f, 0.05f, 0.9f), Make(7, 3f, 0.5f, 0.99f));
    }

    [Fact]
    public void RenderPng_TwoClouds_DrawsAGridOfEightPanelsWithBothColours()
    {
        var (student, teacher) = Clouds(1);
        var png = KdCloudPainter.RenderPng(Crop(), student, teacher, Trans);
        var img = PngDecoder.Decode(png, "kd.png").ToRgb();
        Assert.Equal(4 * KdCloudPainter.PanelSize, img.Width);
        Assert.Equal(2 * (KdCloudPainter.PanelSize + KdCloudPainter.CaptionHeight), img.Height);

        // find the heaviest teacher cell of keypoint 5 (panel 1 of row 1) and look at the disc centre
        int best = Enumerable.Range(0, teacher.Count).MaxBy(c => teacher.Weights.Data[c]);
        float x = teacher.Keypoints.Data[(best * 8 + 5) * 2] - 200, y = teacher.Keypoints.Data[(best * 8 + 5) * 2 + 1] - 150;
        int px = (int)MathF.Round(KdCloudPainter.PanelSize + x), py = (int)MathF.Round(KdCloudPainter.PanelSize + 2 * KdCloudPainter.CaptionHeight + y);
        int i = (py * img.Width + px) * 3;
        bool orangeOrBlue = img.Data[i] > img.Data[i + 2] + 40 || img.Data[i + 2] > img.Data[i] + 40;
        Assert.True(orangeOrBlue, $"pixel ({px}, {py}) = ({img.Data[i]}, {img.Data[i + 1]}, {img.Data[i + 2]}) is not a marker colour");

        // somewhere the teacher's orange is visible (red high, blue low), somewhere the student's blue
        bool anyOrange = false, anyBlue = false;
        for (int p = 0; p < img.Width * img.Height; p++)
        {
            byte r = img.Data[3 * p], g = img.Data[3 * p + 1], b = img.Data[3 * p + 2];
            anyOrange |= r > 200 && b < 120 && g > 90;
            anyBlue |= b > 200 && r < 100;
        }
        Assert.True(anyOrange);
        Assert.True(anyBlue);
    }

    [Fact]
    public void Radius_AreaIsProportionalToWeight()
    {
        float r1 = KdCloudPainter.Radius(1f), rq = KdCloudPainter.Radius(0.25f);
        Assert.Equal(KdCloudPainter.MaxRadius, r1);
        Assert.Equal(0.25f, rq * rq / (r1 * r1), 5);
    }

    [Fact]
    public void Save_WritesAPng()
    {
        var (student, teacher) = Clouds(2);
        var path = Path.Combine(Path.GetTempPath(), "posekd-kd-painter-test", "kd_clouds.png");
        KdCloudPainter.Save(path, Crop(), student, teacher, Trans);
        Assert.True(PngDecoder.IsPng(File.ReadAllBytes(path)));
    }

    [Fact]
    public void RenderPng_BadAffine_Throws()
    {
        var (student, teacher) = Clouds(3);
        Assert.Throws<ArgumentException>(() => KdCloudPainter.RenderPng(Crop(), student, teacher, [1, 0, 0]));
    }
}
