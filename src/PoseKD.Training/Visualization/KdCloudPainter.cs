using PoseKD.Data.Imaging;
using PoseKD.Model.Distillation;
using SkiaSharp;

namespace PoseKD.Training.Visualization;

/// <summary>
/// Draws what the distillation loss compares, for one image: a 4 × 2 grid of panels, one per keypoint k = 0…7, each
/// the network's input crop with the teacher's and the student's clouds of keypoint k on it — every cell a disc whose
/// area is proportional to the weight the loss gives it (teacher: squared score, orange; student: clamped score,
/// blue, drawn first). Keypoints come in internal-image pixels and are mapped into the crop with its 2 × 3 <c>bbox_trans</c>.
/// </summary>
public static class KdCloudPainter
{
    /// <summary>Side of one panel in output pixels.</summary>
    public const int PanelSize = 256;

    /// <summary>Height of the caption strip above each panel row.</summary>
    public const int CaptionHeight = 18;

    /// <summary>Radius of the disc of a weight-1 point, output pixels.</summary>
    public const float MaxRadius = 9f;

    /// <summary>Teacher disc colour.</summary>
    public static readonly SKColor TeacherColor = new(255, 140, 0, 170);

    /// <summary>Student disc colour.</summary>
    public static readonly SKColor StudentColor = new(0, 150, 255, 170);

    /// <summary>
    /// Renders the grid as PNG bytes. <paramref name="crop"/> is the input crop (RGB or grey, any size; drawn scaled to
    /// <see cref="PanelSize"/>), <paramref name="bboxTrans"/> the 6 values of the internal-image → crop affine, row-major.
    /// Student weights are clamped to [<paramref name="clampMin"/>, <paramref name="clampMax"/>] and teacher weights
    /// squared, as the loss uses them.
    /// </summary>
    public static byte[] RenderPng(Image8 crop, LocalPredictions student, LocalPredictions teacher, IReadOnlyList<double> bboxTrans,
        float clampMin = 1e-3f, float clampMax = 1f - 1e-3f)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(bboxTrans);
        if (bboxTrans.Count != 6) throw new ArgumentException($"bboxTrans must hold the 6 values of a 2×3 affine, got {bboxTrans.Count}");
        CheckPredictions(student, nameof(student));
        CheckPredictions(teacher, nameof(teacher));

        int width = 4 * PanelSize, height = 2 * (PanelSize + CaptionHeight);
        using var background = ToBitmap(crop);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1f };
        using var text = new SKPaint { IsAntialias = true, Color = SKColors.Black };
        using var font = new SKFont(SKTypeface.Default, 12f);
        float scaleX = PanelSize / (float)crop.Width, scaleY = PanelSize / (float)crop.Height;

        for (int k = 0; k < 8; k++)
        {
            float left = k % 4 * PanelSize, top = k / 4 * (PanelSize + CaptionHeight) + CaptionHeight;
            // caption doubles as the legend: each cloud's name in its own colour
            float x = left + 4, y = top - 4;
            foreach (var (label, color) in new[] { ($"kp {k}   ", SKColors.Black), ($"teacher {teacher.Count}", TeacherColor.WithAlpha(255)), ("   ", SKColors.Black), ($"student {student.Count}", StudentColor.WithAlpha(255)) })
            {
                text.Color = color;
                canvas.DrawText(label, x, y, SKTextAlign.Left, font, text);
                x += font.MeasureText(label);
            }
            text.Color = SKColors.Black;
            canvas.DrawBitmap(background, new SKRect(left, top, left + PanelSize, top + PanelSize));
            canvas.Save();
            canvas.ClipRect(new SKRect(left, top, left + PanelSize, top + PanelSize));
            DrawCloud(canvas, student, k, w => Math.Clamp(w, clampMin, clampMax), StudentColor, bboxTrans, left, top, scaleX, scaleY, fill, stroke);
            DrawCloud(canvas, teacher, k, w => w * w, TeacherColor, bboxTrans, left, top, scaleX, scaleY, fill, stroke);
            canvas.Restore();
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Renders with <see cref="RenderPng"/> and writes the file (creating its folder).</summary>
    public static void Save(string path, Image8 crop, LocalPredictions student, LocalPredictions teacher, IReadOnlyList<double> bboxTrans)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var png = RenderPng(crop, student, teacher, bboxTrans);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, png);
    }

    /// <summary>Disc radius for a point of weight w: area ∝ w, r = <see cref="MaxRadius"/>·√w.</summary>
    public static float Radius(float weight) => MaxRadius * MathF.Sqrt(Math.Max(0f, weight));

    private static void CheckPredictions(LocalPredictions p, string name)
    {
        if (p.Keypoints.Rank != 3 || p.Keypoints.Shape[0] != p.Count || p.Keypoints.Shape[1] != 8 || p.Keypoints.Shape[2] != 2 || p.Weights.Numel != p.Count)
            throw new ArgumentException($"{name}: keypoints must be [{p.Count}, 8, 2] and weights [{p.Count}], got [{string.Join(", ", p.Keypoints.Shape)}] and {p.Weights.Numel} weights");
    }

    private static void DrawCloud(SKCanvas canvas, LocalPredictions p, int k, Func<float, float> weightOf, SKColor color,
        IReadOnlyList<double> t, float left, float top, float scaleX, float scaleY, SKPaint fill, SKPaint stroke)
    {
        fill.Color = color;
        stroke.Color = new SKColor((byte)(color.Red / 2), (byte)(color.Green / 2), (byte)(color.Blue / 2));
        var kp = p.Keypoints.Data;
        var w = p.Weights.Data;
        for (int c = 0; c < p.Count; c++)
        {
            double x = kp[(c * 8 + k) * 2], y = kp[(c * 8 + k) * 2 + 1];
            float u = (float)(t[0] * x + t[1] * y + t[2]) * scaleX + left;
            float v = (float)(t[3] * x + t[4] * y + t[5]) * scaleY + top;
            float r = Math.Max(1f, Radius(weightOf(w[c])));
            canvas.DrawCircle(u, v, r, fill);
            canvas.DrawCircle(u, v, r, stroke);
        }
    }

    private static SKBitmap ToBitmap(Image8 img)
    {
        var rgb = img.Channels == 3 ? img : img.ToRgb();
        var bmp = new SKBitmap(rgb.Width, rgb.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var d = rgb.Data;
        for (int y = 0; y < rgb.Height; y++)
            for (int x = 0; x < rgb.Width; x++)
            {
                int i = (y * rgb.Width + x) * 3;
                bmp.SetPixel(x, y, new SKColor(d[i], d[i + 1], d[i + 2]));
            }
        return bmp;
    }
}
