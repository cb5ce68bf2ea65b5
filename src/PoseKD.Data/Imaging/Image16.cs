namespace PoseKD.Data.Imaging;

/// <summary>
/// A 16-bit image (depth maps, 16-bit PNGs): HWC layout like <see cref="Image8"/>, samples 0–65535.
/// </summary>
public sealed class Image16
{
    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel (1–4).</summary>
    public int Channels { get; }

    /// <summary>Pixel data, HWC, length W·H·C.</summary>
    public ushort[] Data { get; }

    /// <summary>Creates a zero-filled image.</summary>
    public Image16(int width, int height, int channels)
        : this(width, height, channels, new ushort[Image8.CheckedLength(width, height, channels)]) { }

    /// <summary>Wraps <paramref name="data"/> (HWC, length W·H·C; not copied).</summary>
    public Image16(int width, int height, int channels, ushort[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long n = Image8.CheckedLength(width, height, channels);
        if (data.Length != n)
            throw new ArgumentException($"data has {data.Length} samples, expected {width}×{height}×{channels} = {n}", nameof(data));
        Width = width; Height = height; Channels = channels; Data = data;
    }

    /// <summary>
    /// Scales to 8 bits as OpenCV's <c>convertScaleAbs(img, alpha=255/65535)</c> does:
    /// <c>v8 = round(v · 255 / 65535)</c> (round half to even).
    /// </summary>
    public Image8 To8Bit()
    {
        var dst = new Image8(Width, Height, Channels);
        for (int i = 0; i < Data.Length; i++) dst.Data[i] = (byte)Math.Round(Data[i] * (255.0 / 65535.0), MidpointRounding.ToEven);
        return dst;
    }
}
