using PoseKD.Data.Imaging.Interop;

namespace PoseKD.Data.Imaging;

/// <summary>
/// JPEG decoder backed by libjpeg-turbo (Debian <c>libturbojpeg0</c>). Grey JPEGs decode to 1 channel, all
/// others to RGB. Warnings (premature end of data, corrupt entropy data) are errors, so a truncated or
/// damaged file throws <see cref="ImageFormatException"/> instead of returning a half-grey picture.
/// </summary>
public static class JpegDecoder
{
    /// <summary>Largest accepted image, in pixels.</summary>
    private const long MaxPixels = 1L << 27;

    /// <summary>True when <paramref name="data"/> starts with the JPEG SOI marker (FF D8 FF).</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>True when libturbojpeg is installed.</summary>
    public static bool IsAvailable => TurboJpeg.IsAvailable;

    /// <summary>Decodes <paramref name="jpeg"/>; <paramref name="fileName"/> names it in errors.</summary>
    public static Image8 Decode(byte[] jpeg, string fileName)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        ArgumentNullException.ThrowIfNull(fileName);
        if (!IsJpeg(jpeg)) throw new ImageFormatException(fileName, "not a JPEG file (no SOI marker)");
        nint h = TurboJpeg.InitDecompress();
        if (h == 0) throw new InvalidOperationException("tjInitDecompress failed");
        try
        {
            if (TurboJpeg.DecompressHeader(h, jpeg, out int w, out int ht, out _, out int cs) != 0)
                throw new ImageFormatException(fileName, $"bad JPEG header ({TurboJpeg.ErrorString(h)})");
            if (w <= 0 || ht <= 0 || (long)w * ht > MaxPixels)
                throw new ImageFormatException(fileName, $"JPEG size {w}×{ht} is invalid or too large");
            int channels = cs == TurboJpeg.ColorspaceGray ? 1 : 3;
            var img = new Image8(w, ht, channels);
            int rc = TurboJpeg.Decompress(h, jpeg, img.Data, w, w * channels, ht,
                channels == 1 ? TurboJpeg.PixelFormatGray : TurboJpeg.PixelFormatRgb,
                TurboJpeg.FlagStopOnWarning | TurboJpeg.FlagLimitScans);
            if (rc != 0) throw new ImageFormatException(fileName, $"corrupt or truncated JPEG data ({TurboJpeg.ErrorString(h)})");
            return img;
        }
        finally
        {
            TurboJpeg.Destroy(h);
        }
    }
}
