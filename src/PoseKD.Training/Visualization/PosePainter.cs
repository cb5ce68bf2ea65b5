using System.Runtime.InteropServices;
using PoseKD.Geometry.Cameras;
using SkiaSharp;

namespace PoseKD.Training.Visualization;

/// <summary>
/// Draws pose predictions over an RGB image with SkiaSharp: each object's projected 3D box (the 8 keypoints,
/// corner index 4·bx + 2·by + bz, edges between corners that differ in one bit), its axes from the object origin
/// (x red, y green, z blue), the keypoints the pose was solved from, and a label.
/// </summary>
public static class PosePainter
{
    /// <summary>One object to draw.</summary>
    /// <param name="R">Rotation [9] row-major, camera of the picture.</param>
    /// <param name="T">Translation [3] mm.</param>
    /// <param name="Box">The object's 8 box corners [8·3] mm.</param>
    /// <param name="Points">Keypoints to mark, image pixels [2·m] (x, y, …); may be empty.</param>
    /// <param name="Label">Text drawn at the box (e.g. class and score); may be empty.</param>
    public sealed record Overlay(double[] R, double[] T, double[] Box, float[] Points, string Label);

    private static readonly SKColor BoxColor = new(0, 230, 255);
    private static readonly SKColor PointColor = new(255, 210, 0);

    /// <summary>Renders <paramref name="overlays"/> on the RGB image [h·w·3] seen by camera <paramref name="k"/> [9]; returns PNG bytes.</summary>
    /// <exception cref="ArgumentException">the pixel buffer does not match w×h×3, or an overlay has wrong sizes.</exception>
    public static byte[] RenderPng(byte[] rgb, int width, int height, double[] k, IReadOnlyList<Overlay> overlays)
    {
        ArgumentNullException.ThrowIfNull(rgb); ArgumentNullException.ThrowIfNull(k); ArgumentNullException.ThrowIfNull(overlays);
        if (width <= 0 || height <= 0 || rgb.Length != width * height * 3)
            throw new ArgumentException($"image buffer has {rgb.Length} bytes, expected {width}×{height}×3 = {width * height * 3}", nameof(rgb));
        if (k.Length != 9) throw new ArgumentException($"K must have 9 entries, got {k.Length}", nameof(k));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            rgba[4 * p] = rgb[3 * p]; rgba[4 * p + 1] = rgb[3 * p + 1]; rgba[4 * p + 2] = rgb[3 * p + 2]; rgba[4 * p + 3] = 255;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            float stroke = Math.Max(1.5f, Math.Min(width, height) / 240f);
            foreach (var o in overlays) Draw(canvas, k, o, stroke);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Projects the box and axes of <paramref name="o"/> and draws them with the label and keypoints.</summary>
    private static void Draw(SKCanvas canvas, double[] k, Overlay o, float stroke)
    {
        if (o.R is not { Length: 9 } || o.T is not { Length: 3 } || o.Box is not { Length: 24 } || o.Points is null || o.Points.Length % 2 != 0)
            throw new ArgumentException("an overlay needs R [9], T [3], Box [24] and an even number of point coordinates");
        var corners = new double[16];
        Camera.Project(o.R, o.T, k, o.Box, corners);
        using var pts = new SKPaint { Color = PointColor, IsAntialias = true, Style = SKPaintStyle.Fill };
        for (int i = 0; i + 1 < o.Points.Length; i += 2) canvas.DrawCircle(o.Points[i], o.Points[i + 1], stroke * 1.2f, pts);
        using var line = new SKPaint { Color = BoxColor, IsAntialias = true, StrokeWidth = stroke, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round };
        for (int i = 0; i < 8; i++)
            for (int bit = 1; bit <= 4; bit <<= 1)
            {
                int j = i ^ bit;
                if (j > i) canvas.DrawLine((float)corners[2 * i], (float)corners[2 * i + 1], (float)corners[2 * j], (float)corners[2 * j + 1], line);
            }
        double extent = 0;
        for (int a = 0; a < 3; a++)
        {
            double lo = double.MaxValue, hi = double.MinValue;
            for (int i = 0; i < 8; i++) { lo = Math.Min(lo, o.Box[3 * i + a]); hi = Math.Max(hi, o.Box[3 * i + a]); }
            extent = Math.Max(extent, hi - lo);
        }
        double len = 0.6 * extent;
        double[] axes = [0, 0, 0, len, 0, 0, 0, len, 0, 0, 0, len];
        var ap = new double[8];
        Camera.Project(o.R, o.T, k, axes, ap);
        SKColor[] colors = [new(255, 40, 40), new(40, 220, 40), new(60, 90, 255)];
        for (int a = 0; a < 3; a++)
        {
            using var ax = new SKPaint { Color = colors[a], IsAntialias = true, StrokeWidth = stroke * 1.3f, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round };
            canvas.DrawLine((float)ap[0], (float)ap[1], (float)ap[2 * a + 2], (float)ap[2 * a + 3], ax);
        }
        if (!string.IsNullOrEmpty(o.Label))
        {
            float x = float.MaxValue, y = float.MaxValue;
            for (int i = 0; i < 8; i++) { x = Math.Min(x, (float)corners[2 * i]); y = Math.Min(y, (float)corners[2 * i + 1]); }
            using var font = new SKFont(SKTypeface.Default, stroke * 7f);
            using var shadow = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
            float ty = Math.Max(font.Size, y - stroke * 2);
            canvas.DrawText(o.Label, x + 1, ty + 1, SKTextAlign.Left, font, shadow);
            canvas.DrawText(o.Label, x, ty, SKTextAlign.Left, font, text);
        }
    }
}
