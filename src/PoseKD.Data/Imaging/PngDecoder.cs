using System.Buffers.Binary;
using System.IO.Compression;
using PoseKD.Engine.Serialization;

namespace PoseKD.Data.Imaging;

/// <summary>
/// Managed PNG decoder (RFC 2083 / ISO 15948): bit depths 1–16, grey, grey+alpha, RGB, RGBA and palette
/// (with <c>tRNS</c>), non-interlaced and Adam7, all five filters, every chunk CRC checked.
/// Output channels: grey 1, grey+alpha 2, RGB 3, RGBA 4, palette 3 (4 with <c>tRNS</c>); a <c>tRNS</c> colour
/// key on grey/RGB adds an alpha channel (0 where the key matches). Grey of depth 1/2/4 is scaled to 8 bits
/// (v·255/(2^d − 1)), as libpng does. Corrupt or truncated input throws <see cref="ImageFormatException"/>.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Largest accepted output, in samples (guards against absurd headers).</summary>
    private const long MaxSamples = 1L << 29;

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    /// <summary>Decodes to 8 bits per sample; 16-bit files are scaled with <see cref="Image16.To8Bit"/>.</summary>
    public static Image8 Decode(byte[] png, string fileName)
    {
        var d = DecodeCore(png, fileName);
        if (d.Samples8 != null) return new Image8(d.Width, d.Height, d.Channels, d.Samples8);
        return new Image16(d.Width, d.Height, d.Channels, d.Samples16!).To8Bit();
    }

    /// <summary>Decodes to 16 bits per sample; 8-bit (and smaller) samples are widened unchanged (depth maps keep their values).</summary>
    public static Image16 Decode16(byte[] png, string fileName)
    {
        var d = DecodeCore(png, fileName);
        if (d.Samples16 != null) return new Image16(d.Width, d.Height, d.Channels, d.Samples16);
        var w = new ushort[d.Samples8!.Length];
        for (int i = 0; i < w.Length; i++) w[i] = d.Samples8[i];
        return new Image16(d.Width, d.Height, d.Channels, w);
    }

    /// <summary>Width, height, bit depth and PNG colour type from the IHDR chunk (the header must be intact).</summary>
    public static (int Width, int Height, int BitDepth, int ColorType) ReadHeader(byte[] png, string fileName)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (!IsPng(png)) throw new ImageFormatException(fileName, "not a PNG file (bad signature)");
        var h = ParseIhdr(png, fileName);
        return (h.Width, h.Height, h.Depth, h.ColorType);
    }

    private readonly record struct Header(int Width, int Height, int Depth, int ColorType, int Interlace);

    internal readonly record struct Decoded(int Width, int Height, int Channels, byte[]? Samples8, ushort[]? Samples16);

    private static Header ParseIhdr(byte[] png, string fileName)
    {
        if (png.Length < 8 + 25) throw new ImageFormatException(fileName, "truncated PNG header");
        uint len = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(8));
        if (len != 13 || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw new ImageFormatException(fileName, "first chunk must be a 13-byte IHDR");
        var body = png.AsSpan(16, 13);
        uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(29));
        if (Crc32.Compute(png.AsSpan(12, 17)) != crc) throw new ImageFormatException(fileName, "CRC mismatch in chunk IHDR");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(body), h = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], ct = body[9], comp = body[10], filt = body[11], inter = body[12];
        if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue)
            throw new ImageFormatException(fileName, $"IHDR size {w}×{h} is invalid");
        bool ok = ct switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            2 or 4 or 6 => depth is 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => false,
        };
        if (!ok) throw new ImageFormatException(fileName, $"IHDR colour type {ct} with bit depth {depth} is not a valid PNG combination");
        if (comp != 0 || filt != 0 || inter > 1)
            throw new ImageFormatException(fileName, $"IHDR compression {comp}, filter {filt}, interlace {inter}: expected 0, 0, 0 or 1");
        return new Header((int)w, (int)h, depth, ct, inter);
    }

    internal static Decoded DecodeCore(byte[] png, string fileName)
    {
        ArgumentNullException.ThrowIfNull(png);
        ArgumentNullException.ThrowIfNull(fileName);
        if (!IsPng(png)) throw new ImageFormatException(fileName, "not a PNG file (bad signature)");
        var hdr = ParseIhdr(png, fileName);
        byte[]? palette = null; byte[]? trns = null;
        var idat = new MemoryStream();
        bool sawIend = false, sawIdat = false;
        int pos = 8 + 25;
        while (pos < png.Length)
        {
            if (png.Length - pos < 12) throw new ImageFormatException(fileName, $"truncated chunk header at byte {pos}");
            uint len = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (len > int.MaxValue || len > png.Length - pos - 12)
                throw new ImageFormatException(fileName, $"chunk at byte {pos} declares {len} bytes but the file is truncated");
            var type = png.AsSpan(pos + 4, 4);
            var data = png.AsSpan(pos + 8, (int)len);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + (int)len));
            string typeName = ChunkName(type);
            if (Crc32.Compute(png.AsSpan(pos + 4, 4 + (int)len)) != crc)
                throw new ImageFormatException(fileName, $"CRC mismatch in chunk {typeName} at byte {pos}");
            pos += 12 + (int)len;
            if (type.SequenceEqual("IDAT"u8)) { idat.Write(data); sawIdat = true; }
            else if (type.SequenceEqual("PLTE"u8))
            {
                if (len == 0 || len % 3 != 0 || len / 3 > 256 || sawIdat)
                    throw new ImageFormatException(fileName, $"PLTE chunk of {len} bytes is invalid (expected 3·n bytes, n ≤ 256, before IDAT)");
                palette = data.ToArray();
            }
            else if (type.SequenceEqual("tRNS"u8))
            {
                int expected = hdr.ColorType switch { 0 => 2, 2 => 6, 3 => -1, _ => -2 };
                if (expected == -2) throw new ImageFormatException(fileName, $"tRNS chunk not allowed for colour type {hdr.ColorType}");
                if (expected == -1 ? palette == null || len > palette.Length / 3 : len != expected)
                    throw new ImageFormatException(fileName, $"tRNS chunk of {len} bytes does not fit colour type {hdr.ColorType}");
                trns = data.ToArray();
            }
            else if (type.SequenceEqual("IEND"u8)) { sawIend = true; break; }
            else if (type.SequenceEqual("IHDR"u8)) throw new ImageFormatException(fileName, "duplicate IHDR chunk");
            else if ((type[0] & 0x20) == 0) throw new ImageFormatException(fileName, $"unknown critical chunk {typeName}");
        }
        if (!sawIend) throw new ImageFormatException(fileName, "missing IEND chunk (file truncated)");
        if (!sawIdat) throw new ImageFormatException(fileName, "no IDAT chunk");
        if (hdr.ColorType == 3 && palette == null) throw new ImageFormatException(fileName, "palette image without PLTE chunk");

        int spp = hdr.ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = spp * hdr.Depth;
        int bpp = Math.Max(1, bitsPerPixel / 8);
        var passes = hdr.Interlace == 1 ? Adam7 : NoInterlace;
        long rawSize = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            long pw = (hdr.Width - x0 + dx - 1) / dx, ph = (hdr.Height - y0 + dy - 1) / dy;
            if (pw > 0 && ph > 0) rawSize += ph * (1 + (pw * bitsPerPixel + 7) / 8);
        }
        int outChannels = hdr.ColorType switch
        {
            0 => trns != null ? 2 : 1,
            2 => trns != null ? 4 : 3,
            3 => trns != null ? 4 : 3,
            4 => 2,
            _ => 4,
        };
        long outSamples = (long)hdr.Width * hdr.Height * outChannels;
        if (outSamples > MaxSamples || rawSize > Array.MaxLength)
            throw new ImageFormatException(fileName, $"image {hdr.Width}×{hdr.Height} is too large to decode");
        // Deflate cannot expand by more than ~1032:1; a header promising more than that is truncated or corrupt.
        if (rawSize > idat.Length * 1100 + 4096)
            throw new ImageFormatException(fileName, $"IDAT holds {idat.Length} bytes, far too few for a {hdr.Width}×{hdr.Height} image (truncated)");

        var raw = new byte[rawSize];
        try
        {
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int got = z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length)
                throw new ImageFormatException(fileName, $"image data ends after {got} of {raw.Length} bytes (truncated)");
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(fileName, $"corrupt compressed image data ({e.Message})", e);
        }

        byte[]? out8 = hdr.Depth == 16 ? null : new byte[outSamples];
        ushort[]? out16 = hdr.Depth == 16 ? new ushort[outSamples] : null;
        int offset = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int pw = (hdr.Width - x0 + dx - 1) / dx, ph = (hdr.Height - y0 + dy - 1) / dy;
            if (pw <= 0 || ph <= 0) continue;
            int rowBytes = (int)(((long)pw * bitsPerPixel + 7) / 8);
            Span<byte> prior = default;
            for (int r = 0; r < ph; r++)
            {
                int filter = raw[offset];
                var row = raw.AsSpan(offset + 1, rowBytes);
                if (!PngFilters.Unfilter(filter, row, prior, bpp))
                    throw new ImageFormatException(fileName, $"unknown filter type {filter} in row {r}");
                int y = y0 + r * dy;
                if (out16 != null) Expand16(row, hdr, trns, pw, x0, dx, y, outChannels, out16);
                else Expand8(row, hdr, palette, trns, pw, x0, dx, y, outChannels, out8!, fileName);
                prior = row;
                offset += 1 + rowBytes;
            }
        }
        return new Decoded(hdr.Width, hdr.Height, outChannels, out8, out16);
    }

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static readonly (int X0, int Y0, int Dx, int Dy)[] NoInterlace = [(0, 0, 1, 1)];

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = type[i] is >= 32 and < 127 ? (char)type[i] : '?';
        return new string(c);
    }

    private static void Expand8(ReadOnlySpan<byte> row, Header hdr, byte[]? palette, byte[]? trns, int pw, int x0, int dx, int y,
        int outC, byte[] dst, string fileName)
    {
        int depth = hdr.Depth, w = hdr.Width;
        long baseIdx = (long)y * w;
        if (depth == 8 && hdr.ColorType != 3 && trns == null && dx == 1)
        {
            row.CopyTo(dst.AsSpan((int)(baseIdx * outC), w * outC));
            return;
        }
        for (int i = 0; i < pw; i++)
        {
            int o = (int)((baseIdx + x0 + (long)i * dx) * outC);
            switch (hdr.ColorType)
            {
                case 0:
                    {
                        int v = depth == 8 ? row[i] : LowBits(row, i, depth);
                        dst[o] = (byte)(depth == 8 ? v : v * 255 / ((1 << depth) - 1));
                        if (trns != null)
                        {
                            int key = (trns[0] << 8) | trns[1];
                            dst[o + 1] = (byte)(v == key ? 0 : 255);
                        }
                        break;
                    }
                case 2:
                    dst[o] = row[3 * i]; dst[o + 1] = row[3 * i + 1]; dst[o + 2] = row[3 * i + 2];
                    if (trns != null)
                        dst[o + 3] = (byte)(row[3 * i] == trns[1] && row[3 * i + 1] == trns[3] && row[3 * i + 2] == trns[5] && trns[0] == 0 && trns[2] == 0 && trns[4] == 0 ? 0 : 255);
                    break;
                case 3:
                    {
                        int idx = depth == 8 ? row[i] : LowBits(row, i, depth);
                        if (3 * idx + 2 >= palette!.Length)
                            throw new ImageFormatException(fileName, $"palette index {idx} out of range (palette has {palette.Length / 3} entries)");
                        dst[o] = palette[3 * idx]; dst[o + 1] = palette[3 * idx + 1]; dst[o + 2] = palette[3 * idx + 2];
                        if (trns != null) dst[o + 3] = idx < trns.Length ? trns[idx] : (byte)255;
                        break;
                    }
                case 4:
                    dst[o] = row[2 * i]; dst[o + 1] = row[2 * i + 1];
                    break;
                default:
                    dst[o] = row[4 * i]; dst[o + 1] = row[4 * i + 1]; dst[o + 2] = row[4 * i + 2]; dst[o + 3] = row[4 * i + 3];
                    break;
            }
        }
    }

    private static int LowBits(ReadOnlySpan<byte> row, int i, int depth)
    {
        int bit = i * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    private static void Expand16(ReadOnlySpan<byte> row, Header hdr, byte[]? trns, int pw, int x0, int dx, int y, int outC, ushort[] dst)
    {
        int spp = hdr.ColorType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };
        long baseIdx = (long)y * hdr.Width;
        for (int i = 0; i < pw; i++)
        {
            int o = (int)((baseIdx + x0 + (long)i * dx) * outC);
            bool keyMatch = trns != null;
            for (int k = 0; k < spp; k++)
            {
                ushort v = BinaryPrimitives.ReadUInt16BigEndian(row[(2 * (i * spp + k))..]);
                dst[o + k] = v;
                if (trns != null && v != BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(2 * k))) keyMatch = false;
            }
            if (trns != null) dst[o + spp] = keyMatch ? (ushort)0 : ushort.MaxValue;
        }
    }
}
