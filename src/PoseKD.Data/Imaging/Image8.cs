namespace PoseKD.Data.Imaging;

/// <summary>
/// An 8-bit image: <see cref="Width"/> × <see cref="Height"/> pixels of <see cref="Channels"/> samples,
/// stored row-major, channels interleaved (HWC): sample (y, x, c) is at <c>(y·W + x)·C + c</c>.
/// Channel meaning by count: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
/// </summary>
public sealed class Image8
{
    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel (1–4).</summary>
    public int Channels { get; }

    /// <summary>Pixel data, HWC, length W·H·C.</summary>
    public byte[] Data { get; }

    /// <summary>Creates a zero-filled image.</summary>
    public Image8(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckedLength(width, height, channels)]) { }

    /// <summary>Wraps <paramref name="data"/> (HWC, length W·H·C; not copied).</summary>
    public Image8(int width, int height, int channels, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long n = CheckedLength(width, height, channels);
        if (data.Length != n)
            throw new ArgumentException($"data has {data.Length} bytes, expected {width}×{height}×{channels} = {n}", nameof(data));
        Width = width; Height = height; Channels = channels; Data = data;
    }

    /// <summary>Span of row <paramref name="y"/> (W·C bytes).</summary>
    public Span<byte> Row(int y) => Data.AsSpan(y * Width * Channels, Width * Channels);

    /// <summary>
    /// Converts to 3-channel RGB the way the reference loader does: grey is replicated; with an alpha
    /// channel, pixels whose alpha is 0 become white (255) and alpha is dropped.
    /// </summary>
    public Image8 ToRgb()
    {
        if (Channels == 3) return this;
        var dst = new Image8(Width, Height, 3);
        int n = Width * Height;
        var s = Data; var d = dst.Data;
        for (int i = 0; i < n; i++)
        {
            byte r, g, b;
            switch (Channels)
            {
                case 1: r = g = b = s[i]; break;
                case 2: r = g = b = s[2 * i + 1] == 0 ? (byte)255 : s[2 * i]; break;
                default:
                    bool clear = s[4 * i + 3] == 0;
                    r = clear ? (byte)255 : s[4 * i]; g = clear ? (byte)255 : s[4 * i + 1]; b = clear ? (byte)255 : s[4 * i + 2];
                    break;
            }
            d[3 * i] = r; d[3 * i + 1] = g; d[3 * i + 2] = b;
        }
        return dst;
    }

    /// <summary>First channel of every pixel as a 1-channel image (a copy, or this image when it has one channel).</summary>
    public Image8 FirstChannel()
    {
        if (Channels == 1) return this;
        var dst = new Image8(Width, Height, 1);
        for (int i = 0, n = Width * Height; i < n; i++) dst.Data[i] = Data[i * Channels];
        return dst;
    }

    internal static int CheckedLength(int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} must be positive");
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), $"channels {channels} must be 1–4");
        long n = (long)width * height * channels;
        if (n > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(width), $"image {width}×{height}×{channels} is too large");
        return (int)n;
    }
}
