namespace PoseKD.Data.Transforms;

/// <summary>
/// The reference's training augmentations on interleaved RGB bytes [h, w, 3] (each draws from the given
/// <see cref="Random"/>): random occlusion, HSV jitter, pencil sharpen, box blur, Gaussian noise, grayscale,
/// and the shift-scale-rotate matrix.
/// </summary>
public static class Augment
{
    /// <summary>
    /// 3×3 shift-scale-rotate matrix (reference <c>generate_shiftscalerotate_matrix</c>): shift by integers in
    /// ±int(size·shift), then rotate by U(±rot)° and scale by 1 + U(±scale) about the image centre.
    /// </summary>
    public static double[] ShiftScaleRotate(Random rng, double shift, double scale, double rotDeg, int w, int h)
    {
        int dw = (int)(w * shift), dh = (int)(h * shift);
        int pl = rng.Next(-dw, dw + 1), pt = rng.Next(-dh, dh + 1);
        double ang = (2 * rng.NextDouble() - 1) * rotDeg, s = (2 * rng.NextDouble() - 1) * scale + 1;
        double a = s * Math.Cos(ang * Math.PI / 180), b = s * Math.Sin(ang * Math.PI / 180), cx = w / 2.0, cy = h / 2.0;
        // cv2.getRotationMatrix2D((cx, cy), ang, s) · translate(−pl, −pt)
        double[] rs = [a, b, (1 - a) * cx - b * cy, -b, a, b * cx + (1 - a) * cy];
        return [rs[0], rs[1], rs[2] - rs[0] * pl - rs[1] * pt, rs[3], rs[4], rs[5] - rs[3] * pl - rs[4] * pt, 0, 0, 1];
    }

    /// <summary>Random erasing per instance (probability <paramref name="prob"/>): a noise patch inside the visible box; labels → ignore.</summary>
    public static void Occlusion(Random rng, double prob, byte[] rgb, PoseTarget target)
    {
        if (prob <= 0) return;
        int w = target.Width, h = target.Height;
        for (int i = 0; i < target.Count; i++)
        {
            byte label = (byte)(i + 1);
            int x1 = w, y1 = h, x2 = -1, y2 = -1;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (target.Labels[y * w + x] == label) { x1 = Math.Min(x1, x); x2 = Math.Max(x2, x); y1 = Math.Min(y1, y); y2 = Math.Max(y2, y); }
            if (x2 < 0) { x1 = y1 = x2 = y2 = 0; }
            int bw = x2 - x1, bh = y2 - y1;
            if (!(rng.NextDouble() <= prob && bw > 2 && bh > 2)) continue;
            double size = (0.02 + 0.68 * rng.NextDouble()) * bw * bh, ratio = 0.5 + 1.5 * rng.NextDouble();
            int ew = (int)Math.Sqrt(size * ratio), eh = (int)Math.Sqrt(size / ratio);
            double ecx = x1 + (x2 - x1) * rng.NextDouble(), ecy = y1 + (y2 - y1) * rng.NextDouble();
            int esx = (int)Math.Clamp(ecx - ew / 2.0 + 0.5, 0, w - 1), esy = (int)Math.Clamp(ecy - eh / 2.0 + 0.5, 0, h - 1);
            int eex = (int)Math.Clamp(ecx + ew / 2.0 + 0.5, 0, w - 1), eey = (int)Math.Clamp(ecy + eh / 2.0 + 0.5, 0, h - 1);
            for (int y = esy; y < eey; y++)
                for (int x = esx; x < eex; x++)
                {
                    for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte)rng.Next(256);
                    target.Labels[y * w + x] = PoseTarget.Ignore;
                }
        }
    }

    /// <summary>HSV jitter (reference <c>distort_hsv</c>, OpenCV 8-bit HSV with H in [0, 180)): h, s, v scaled by 1 + U(±ratio), clipped when scaled up.</summary>
    public static void Hsv(Random rng, double hr, double sr, double vr, byte[] rgb)
    {
        if (hr + sr + vr <= 0.01) return;
        double a = (2 * rng.NextDouble() - 1) * hr + 1, b = (2 * rng.NextDouble() - 1) * sr + 1, c = (2 * rng.NextDouble() - 1) * vr + 1;
        for (int p = 0; p < rgb.Length; p += 3)
        {
            RgbToHsv(rgb[p], rgb[p + 1], rgb[p + 2], out double h, out double s, out double v);
            h *= a; s *= b; v *= c;
            if (a >= 1) h = Math.Min(h, 179);
            if (b >= 1) s = Math.Min(s, 255);
            if (c >= 1) v = Math.Min(v, 255);
            // uint8 storage of the jittered channels (truncation, as numpy's float → uint8 assignment)
            HsvToRgb((byte)(int)h, (byte)(int)s, (byte)(int)v, out rgb[p], out rgb[p + 1], out rgb[p + 2]);
        }
    }

    private static void RgbToHsv(byte r, byte g, byte b, out double h, out double s, out double v)
    {
        int mx = Math.Max(r, Math.Max(g, b)), mn = Math.Min(r, Math.Min(g, b)), d = mx - mn;
        v = mx;
        s = mx == 0 ? 0 : Math.Round(255.0 * d / mx);
        double hh = d == 0 ? 0 : mx == r ? 60.0 * (g - b) / d : mx == g ? 120 + 60.0 * (b - r) / d : 240 + 60.0 * (r - g) / d;
        if (hh < 0) hh += 360;
        h = Math.Round(hh / 2);
        if (h >= 180) h -= 180;
    }

    private static void HsvToRgb(byte h8, byte s8, byte v8, out byte r, out byte g, out byte b)
    {
        double h = h8 * 2.0 / 60.0, s = s8 / 255.0, v = v8;
        int i = (int)Math.Floor(h) % 6;
        double f = h - Math.Floor(h), p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        var (rr, gg, bb) = i switch { 0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q) };
        r = (byte)Math.Clamp(Math.Round(rr), 0, 255); g = (byte)Math.Clamp(Math.Round(gg), 0, 255); b = (byte)Math.Clamp(Math.Round(bb), 0, 255);
    }

    /// <summary>Box blur with a k × k kernel (OpenCV <c>blur</c>, border reflect-101), in place.</summary>
    public static void BoxBlur(byte[] rgb, int w, int h, int k)
    {
        if (k <= 1) return;
        var src = (byte[])rgb.Clone();
        int r = k / 2;
        var tmp = new float[rgb.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    float s = 0;
                    for (int d = -r; d <= r; d++) s += src[(y * w + Reflect101(x + d, w)) * 3 + c];
                    tmp[(y * w + x) * 3 + c] = s;
                }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    float s = 0;
                    for (int d = -r; d <= r; d++) s += tmp[(Reflect101(y + d, h) * w + x) * 3 + c];
                    rgb[(y * w + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(s / (k * k)), 0, 255);
                }
    }

    /// <summary>Random box blur (reference <c>RandomSmooth</c>): kernel drawn from the odd sizes 1..maxK.</summary>
    public static void Smooth(Random rng, int maxK, byte[] rgb, int w, int h)
    {
        if (maxK <= 1) return;
        int n = (maxK + 1) / 2;
        BoxBlur(rgb, w, h, 1 + 2 * rng.Next(n));
    }

    /// <summary>Gaussian noise (reference <c>distort_noise</c>): σ ~ U(0, ratio), add N(0, σ)·255, clip, truncate.</summary>
    public static void Noise(Random rng, double ratio, byte[] rgb)
    {
        if (ratio <= 0.01) return;
        double sigma = ratio * rng.NextDouble();
        for (int i = 0; i < rgb.Length; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            double g = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            rgb[i] = (byte)Math.Clamp(rgb[i] + g * sigma * 255, 0, 255);
        }
    }

    /// <summary>Pencil sharpen (reference <c>RandomPencilSharpen</c>) with probability <paramref name="prob"/>.</summary>
    public static void Sharpen(Random rng, double prob, byte[] rgb, int w, int h)
    {
        if (!(rng.NextDouble() < prob)) return;
        int[] ks = [5, 7, 9, 11];
        int k = ks[rng.Next(4)];
        var blur = (byte[])rgb.Clone();
        BoxBlur(blur, w, h, k);
        bool ratio = rng.NextDouble() < 0.5;
        var edge = new double[rgb.Length];
        for (int i = 0; i < rgb.Length; i++) edge[i] = ratio ? rgb[i] / (blur[i] + 0.01) : rgb[i] - (double)blur[i];
        var edge8 = MinMax(edge);
        double alpha = 0.5 + 0.45 * rng.NextDouble();
        var mix = new double[rgb.Length];
        for (int i = 0; i < rgb.Length; i++) mix[i] = rgb[i] * (1 - alpha) + edge8[i] * alpha;
        var outB = MinMax(mix);
        Array.Copy(outB, rgb, rgb.Length);
    }

    private static byte[] MinMax(double[] v)
    {
        double mn = v.Min(), mx = v.Max(), sc = mx > mn ? 255 / (mx - mn) : 0;
        var o = new byte[v.Length];
        for (int i = 0; i < v.Length; i++) o[i] = (byte)Math.Clamp(Math.Round((v[i] - mn) * sc), 0, 255);
        return o;
    }

    /// <summary>Grayscale replicated to 3 channels: Y = 0.299 R + 0.587 G + 0.114 B (OpenCV).</summary>
    public static void Grayscale(byte[] rgb)
    {
        for (int p = 0; p < rgb.Length; p += 3)
        {
            byte y = (byte)Math.Clamp(Math.Round(0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2]), 0, 255);
            rgb[p] = rgb[p + 1] = rgb[p + 2] = y;
        }
    }

    private static int Reflect101(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }
}
