using PoseKD.Data.Imaging;

namespace PoseKD.Data.Synthesis;

/// <summary>
/// Random backgrounds for synthetic images: procedural (two-colour gradient, multi-octave value noise,
/// noisy stripes, clutter of rectangles) or a random image from a folder, resized bilinearly.
/// </summary>
public static class Backgrounds
{
    /// <summary>Fills <paramref name="rgb"/> [h, w, 3] with a procedural background drawn from <paramref name="rng"/>.</summary>
    public static void Procedural(Random rng, Span<byte> rgb, int w, int h)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (rgb.Length != w * h * 3) throw new ArgumentException($"buffer has {rgb.Length} bytes, expected [{h}, {w}, 3]", nameof(rgb));
        switch (rng.Next(4))
        {
            case 0: Gradient(rng, rgb, w, h); break;
            case 1: ValueNoise(rng, rgb, w, h); break;
            case 2: Stripes(rng, rgb, w, h); break;
            default: Clutter(rng, rgb, w, h); break;
        }
    }

    /// <summary>Fills <paramref name="rgb"/> with <paramref name="image"/> (converted to RGB) resized bilinearly to w × h.</summary>
    public static void FromImage(Image8 image, Span<byte> rgb, int w, int h)
    {
        ArgumentNullException.ThrowIfNull(image);
        var src = image.ToRgb();
        double sx = (double)src.Width / w, sy = (double)src.Height / h;
        for (int y = 0; y < h; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, src.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, src.Height - 1);
            double ty = fy - y0;
            for (int x = 0; x < w; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, src.Width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, src.Width - 1);
                double tx = fx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double v = (1 - ty) * ((1 - tx) * src.Data[(y0 * src.Width + x0) * 3 + c] + tx * src.Data[(y0 * src.Width + x1) * 3 + c])
                             + ty * ((1 - tx) * src.Data[(y1 * src.Width + x0) * 3 + c] + tx * src.Data[(y1 * src.Width + x1) * 3 + c]);
                    rgb[(y * w + x) * 3 + c] = (byte)(v + 0.5);
                }
            }
        }
    }

    private static (int R, int G, int B) RandomColor(Random rng) => (rng.Next(256), rng.Next(256), rng.Next(256));

    private static void Gradient(Random rng, Span<byte> rgb, int w, int h)
    {
        var a = RandomColor(rng); var b = RandomColor(rng);
        double ang = rng.NextDouble() * 2 * Math.PI, dx = Math.Cos(ang), dy = Math.Sin(ang);
        double lo = Math.Min(0, w * dx) + Math.Min(0, h * dy), hi = Math.Max(0, w * dx) + Math.Max(0, h * dy);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double s = (x * dx + y * dy - lo) / (hi - lo);
                int o = (y * w + x) * 3;
                rgb[o] = (byte)(a.R + s * (b.R - a.R));
                rgb[o + 1] = (byte)(a.G + s * (b.G - a.G));
                rgb[o + 2] = (byte)(a.B + s * (b.B - a.B));
            }
    }

    private static void ValueNoise(Random rng, Span<byte> rgb, int w, int h)
    {
        var acc = new float[w * h * 3];
        float amp = 1f, total = 0;
        int cell = 32 << rng.Next(3);
        for (int octave = 0; octave < 3; octave++, cell = Math.Max(4, cell / 2), amp *= 0.5f)
        {
            int gw = w / cell + 2, gh = h / cell + 2;
            var grid = new float[gw * gh * 3];
            for (int i = 0; i < grid.Length; i++) grid[i] = rng.Next(256);
            for (int y = 0; y < h; y++)
            {
                float fy = (float)y / cell; int gy = (int)fy; float ty = fy - gy;
                ty = ty * ty * (3 - 2 * ty);
                for (int x = 0; x < w; x++)
                {
                    float fx = (float)x / cell; int gx = (int)fx; float tx = fx - gx;
                    tx = tx * tx * (3 - 2 * tx);
                    int g00 = (gy * gw + gx) * 3, g01 = g00 + 3, g10 = g00 + gw * 3, g11 = g10 + 3;
                    int o = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        float v = (1 - ty) * ((1 - tx) * grid[g00 + c] + tx * grid[g01 + c]) + ty * ((1 - tx) * grid[g10 + c] + tx * grid[g11 + c]);
                        acc[o + c] += amp * v;
                    }
                }
            }
            total += amp;
        }
        for (int i = 0; i < acc.Length; i++) rgb[i] = (byte)Math.Clamp(acc[i] / total, 0, 255);
    }

    private static void Stripes(Random rng, Span<byte> rgb, int w, int h)
    {
        var cols = new[] { RandomColor(rng), RandomColor(rng), RandomColor(rng) };
        double ang = rng.NextDouble() * Math.PI, dx = Math.Cos(ang), dy = Math.Sin(ang);
        double period = 12 + rng.NextDouble() * 60;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int band = (int)Math.Floor((x * dx + y * dy) / period);
                var c = cols[((band % 3) + 3) % 3];
                int o = (y * w + x) * 3;
                rgb[o] = (byte)c.R; rgb[o + 1] = (byte)c.G; rgb[o + 2] = (byte)c.B;
            }
    }

    private static void Clutter(Random rng, Span<byte> rgb, int w, int h)
    {
        var bg = RandomColor(rng);
        for (int i = 0; i < w * h; i++) { rgb[3 * i] = (byte)bg.R; rgb[3 * i + 1] = (byte)bg.G; rgb[3 * i + 2] = (byte)bg.B; }
        int count = 20 + rng.Next(40);
        for (int k = 0; k < count; k++)
        {
            var c = RandomColor(rng);
            int rw = 10 + rng.Next(w / 4), rh = 10 + rng.Next(h / 4);
            int x0 = rng.Next(-rw / 2, w), y0 = rng.Next(-rh / 2, h);
            bool ellipse = rng.Next(2) == 0;
            for (int y = Math.Max(0, y0); y < Math.Min(h, y0 + rh); y++)
                for (int x = Math.Max(0, x0); x < Math.Min(w, x0 + rw); x++)
                {
                    if (ellipse)
                    {
                        double ex = (x - x0 - rw / 2.0) / (rw / 2.0), ey = (y - y0 - rh / 2.0) / (rh / 2.0);
                        if (ex * ex + ey * ey > 1) continue;
                    }
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte)c.R; rgb[o + 1] = (byte)c.G; rgb[o + 2] = (byte)c.B;
                }
        }
    }
}
