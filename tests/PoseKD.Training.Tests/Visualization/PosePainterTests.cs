using PoseKD.Data.Imaging;
using PoseKD.Geometry.Cameras;
using PoseKD.Training.Visualization;

namespace PoseKD.Training.Tests.Visualization;

public sealed class PosePainterTests
{
    private const int W = 160, H = 120;
    private static readonly double[] K = [150, 0, 80, 0, 150, 60, 0, 0, 1];
    private static readonly double[] R = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    private static readonly double[] T = [0, 0, 400];

    private static double[] Box()
    {
        var c = new double[24];
        for (int i = 0; i < 8; i++) { c[3 * i] = (i & 4) != 0 ? 60 : -60; c[3 * i + 1] = (i & 2) != 0 ? 40 : -40; c[3 * i + 2] = (i & 1) != 0 ? 30 : -30; }
        return c;
    }

    [Fact]
    public void RenderPng_KnownPose_DrawsBoxEdgesAndKeepsBackground()
    {
        var rgb = Enumerable.Repeat((byte)100, W * H * 3).ToArray();
        var png = PosePainter.RenderPng(rgb, W, H, K, [new PosePainter.Overlay(R, T, Box(), [20f, 100f], "cls 0  0.93")]);
        var img = ImageFile.Decode(png, "painted.png").ToRgb();
        Assert.Equal((W, H), (img.Width, img.Height));
        // midpoint of the edge between corners 0 (−,−,−) and 4 (+,−,−): coloured
        var px = new double[16];
        Camera.Project(R, T, K, Box(), px);
        int mx = (int)Math.Round((px[0] + px[8]) / 2), my = (int)Math.Round((px[1] + px[9]) / 2);
        int o = 3 * (my * W + mx);
        Assert.NotEqual((100, 100, 100), (img.Data[o], img.Data[o + 1], img.Data[o + 2]));
        // a keypoint marker at (20, 100)
        o = 3 * (100 * W + 20);
        Assert.True(img.Data[o] > 200 && img.Data[o + 2] < 100, "keypoint marker is yellow");
        // a far corner of the picture is untouched
        o = 3 * (H - 2) * W + 3 * (W - 2);
        Assert.Equal((100, 100, 100), (img.Data[o], img.Data[o + 1], img.Data[o + 2]));
    }

    [Fact]
    public void RenderPng_WrongBufferSize_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => PosePainter.RenderPng(new byte[10], W, H, K, []));
        Assert.Contains("160×120×3", ex.Message);
    }
}
