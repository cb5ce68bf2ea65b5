using System.Globalization;
using PoseKD.Data.Bop;
using PoseKD.Training.Evaluation;
using SkiaSharp;

namespace PoseKD.Training.Visualization;

/// <summary>
/// A contact sheet of a test run: the best, the median and the worst instance by 3D error (ADD/ADI ÷ diameter),
/// each its full image with the ground-truth and the predicted 3D boxes drawn by <see cref="PosePainter"/>, side by side.
/// </summary>
public static class ContactSheet
{
    /// <summary>Chooses best / median / worst of <paramref name="predictions"/> and writes the sheet to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<ImagePrediction> predictions, BopDataset dataset, IReadOnlyList<double[]> keypoints3d)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(keypoints3d);
        if (predictions.Count == 0) throw new ArgumentException("no predictions to show", nameof(predictions));
        var sorted = predictions.OrderBy(p => p.RelativeError3D).ToList();
        var picks = new[] { ("best", sorted[0]), ("median", sorted[sorted.Count / 2]), ("worst", sorted[^1]) };
        var panels = new List<SKBitmap>();
        try
        {
            foreach (var (name, p) in picks)
            {
                var img = dataset.LoadImage(p.Index);
                var box = keypoints3d[p.ClassId];
                var overlays = new List<PosePainter.Overlay> { new(p.RGt, p.TGt, box, [], "GT") };
                if (p.R is not null && p.T is not null)
                    overlays.Add(new PosePainter.Overlay(p.R, p.T, box, [], string.Create(CultureInfo.InvariantCulture, $"pred {p.Score:F2}")));
                var png = PosePainter.RenderPng(img.Data, img.Width, img.Height, p.K, overlays);
                var bmp = SKBitmap.Decode(png);
                using var canvas = new SKCanvas(bmp);
                using var font = new SKFont { Size = Math.Max(12, img.Height / 20f) };
                using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
                string caption = Caption(name, p.R is null, p.RelativeError3D);
                canvas.DrawText(caption, 6, font.Size + 4, font, paint);
                panels.Add(bmp);
            }
            int w = panels.Sum(b => b.Width), h = panels.Max(b => b.Height);
            using var surface = SKSurface.Create(new SKImageInfo(w, h));
            surface.Canvas.Clear(SKColors.Black);
            int x = 0;
            foreach (var b in panels) { surface.Canvas.DrawBitmap(b, x, 0); x += b.Width; }
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllBytes(path, data.ToArray());
        }
        finally
        {
            foreach (var b in panels) b.Dispose();
        }
    }

    /// <summary>
    /// A panel's caption: the error as a fraction of the diameter, or "missed"; a degenerate pose (error ≥ 100 d, e.g. a
    /// PnP solution far behind the camera) is written in three significant digits and named as such.
    /// </summary>
    internal static string Caption(string name, bool missed, double relativeError) =>
        missed ? $"{name}: missed"
        : relativeError >= 100 || !double.IsFinite(relativeError) ? string.Create(CultureInfo.InvariantCulture, $"{name}: error {relativeError:G3} d (degenerate pose)")
        : string.Create(CultureInfo.InvariantCulture, $"{name}: error {relativeError:F3} d");
}
