using System.Buffers.Binary;
using System.IO.Compression;
using PoseKD.Engine.Serialization;

namespace PoseKD.Data.Imaging;

/// <summary>
/// PNG encoder: 8-bit grey, grey+alpha, RGB, RGBA and 16-bit grey (depth maps), non-interlaced. Each row
/// takes the filter with the smallest sum of |signed residuals| (libpng's heuristic); the output is a
/// deterministic function of the pixels and <see cref="CompressionLevel"/>.
/// </summary>
public static class PngEncoder
{
    /// <summary>Encodes an 8-bit image (1–4 channels) to PNG bytes.</summary>
    public static byte[] Encode(Image8 image, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(image);
        int colorType = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        return EncodeRaw(image.Data, image.Width, image.Height, image.Channels, 8, colorType, level);
    }

    /// <summary>Encodes a 1-channel 16-bit image (e.g. a depth map) to a 16-bit grey PNG.</summary>
    public static byte[] Encode16(Image16 image, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels != 1) throw new ArgumentException($"16-bit PNG encoding supports 1 channel, got {image.Channels}", nameof(image));
        var bytes = new byte[image.Data.Length * 2];
        for (int i = 0; i < image.Data.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), image.Data[i]);
        return EncodeRaw(bytes, image.Width, image.Height, 1, 16, 0, level);
    }

    /// <summary>Encodes and writes <paramref name="image"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, Image8 image, CompressionLevel level = CompressionLevel.Fastest) =>
        File.WriteAllBytes(path, Encode(image, level));

    /// <summary>Encodes and writes a 16-bit grey image to <paramref name="path"/>.</summary>
    public static void Write16(string path, Image16 image, CompressionLevel level = CompressionLevel.Fastest) =>
        File.WriteAllBytes(path, Encode16(image, level));

    private static byte[] EncodeRaw(byte[] pixels, int width, int height, int channels, int depth, int colorType, CompressionLevel level)
    {
        int bpp = channels * depth / 8;
        int rowBytes = width * bpp;
        var filtered = new byte[(long)height * (rowBytes + 1)];
        var candidate = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            var row = pixels.AsSpan(y * rowBytes, rowBytes);
            var prior = y > 0 ? pixels.AsSpan((y - 1) * rowBytes, rowBytes) : Span<byte>.Empty;
            var dst = filtered.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            long best = long.MaxValue; int bestType = 0;
            for (int type = 0; type < 5; type++)
            {
                PngFilters.Filter(type, row, prior, bpp, candidate);
                long sum = PngFilters.SumAbsSigned(candidate);
                if (sum < best) { best = sum; bestType = type; candidate.CopyTo(dst); }
            }
            filtered[y * (rowBytes + 1)] = (byte)bestType;
        }
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, level, leaveOpen: true)) z.Write(filtered);

        var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)height);
        ihdr[8] = (byte)depth; ihdr[9] = (byte)colorType; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(ms, "IHDR"u8, ihdr);
        WriteChunk(ms, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        WriteChunk(ms, "IEND"u8, []);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        s.Write(word);
        s.Write(type);
        s.Write(data);
        uint crc = ~Crc32.Update(Crc32.Update(0xFFFFFFFFu, type), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        s.Write(word);
    }
}
