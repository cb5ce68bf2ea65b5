namespace PoseKD.Data.Imaging;

/// <summary>Reads image files by content (PNG or JPEG signature), naming the file in every error.</summary>
public static class ImageFile
{
    /// <summary>Decodes PNG or JPEG bytes to 8 bits per sample (16-bit PNG scaled by 255/65535).</summary>
    public static Image8 Decode(byte[] bytes, string fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (PngDecoder.IsPng(bytes)) return PngDecoder.Decode(bytes, fileName);
        if (JpegDecoder.IsJpeg(bytes)) return JpegDecoder.Decode(bytes, fileName);
        throw new ImageFormatException(fileName, "neither a PNG nor a JPEG file");
    }

    /// <summary>Reads <paramref name="path"/> (PNG or JPEG) to 8 bits per sample.</summary>
    public static Image8 Read(string path) => Decode(ReadBytes(path), path);

    /// <summary>
    /// Reads an image as RGB the way the reference loader prepares it: 16-bit scaled to 8, grey replicated,
    /// alpha = 0 → white.
    /// </summary>
    public static Image8 ReadRgb(string path) => Read(path).ToRgb();

    /// <summary>Reads a 16-bit PNG (e.g. a BOP depth map) keeping the stored values.</summary>
    public static Image16 Read16(string path)
    {
        var bytes = ReadBytes(path);
        if (!PngDecoder.IsPng(bytes)) throw new ImageFormatException(path, "expected a PNG file");
        return PngDecoder.Decode16(bytes, path);
    }

    private static byte[] ReadBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"image file not found: {path}", path);
        return File.ReadAllBytes(path);
    }
}
