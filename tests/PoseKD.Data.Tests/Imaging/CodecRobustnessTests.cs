using System.Buffers.Binary;
using PoseKD.Data.Imaging;
using PoseKD.TestSupport;

namespace PoseKD.Data.Tests.Imaging;

/// <summary>Corrupt and truncated files: only <see cref="ImageFormatException"/> or a valid image may come out.</summary>
public sealed class CodecRobustnessTests
{
    [Fact]
    public void Decode_EveryTruncation_ThrowsImageFormatExceptionNamingFile()
    {
        var png = File.ReadAllBytes(Numeric.Fixture("codecs/adam7_rgb8.png"));
        for (int n = 0; n < png.Length; n++)
        {
            var ex = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png[..n], "cut.png"));
            Assert.Contains("cut.png", ex.Message);
        }
    }

    [Fact]
    public void Decode_FlippedDataByte_ReportsCrcMismatch()
    {
        var png = File.ReadAllBytes(Numeric.Fixture("codecs/rgb8.png"));
        png[45] ^= 0x10;
        var ex = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png, "bad.png"));
        Assert.Contains("CRC", ex.Message);
        Assert.Contains("bad.png", ex.Message);
    }

    [Fact]
    public void Decode_TruncatedJpeg_ThrowsImageFormatException()
    {
        var jpg = File.ReadAllBytes(Numeric.Fixture("codecs/rgb.jpg"));
        foreach (int n in new[] { 3, 20, jpg.Length / 2, jpg.Length - 2 })
            Assert.Throws<ImageFormatException>(() => JpegDecoder.Decode(jpg[..n], "cut.jpg"));
    }

    [Fact]
    public void Decode_NotAnImage_ThrowsImageFormatException()
    {
        var ex = Assert.Throws<ImageFormatException>(() => ImageFile.Decode("hello world"u8.ToArray(), "x.txt"));
        Assert.Contains("x.txt", ex.Message);
    }

    [Theory]
    [InlineData("rgb8.png", 1500)]
    [InlineData("adam7_palette4.png", 1000)]
    [InlineData("grey16.png", 800)]
    [InlineData("palette4_trns.png", 700)]
    public void Decode_RandomMutationsOfPng_OnlyCleanErrorsOrImages(string name, int cases)
    {
        var original = File.ReadAllBytes(Numeric.Fixture("codecs/" + name));
        var rng = new Random(1234);
        int images = 0;
        for (int k = 0; k < cases; k++)
        {
            var bytes = Mutate(original, rng);
            // Half the cases repair the chunk CRCs so that the mutation reaches the header, zlib and filter code.
            if (k % 2 == 0) FixCrcs(bytes);
            try
            {
                var img = PngDecoder.Decode(bytes, name);
                Assert.Equal(img.Width * img.Height * img.Channels, img.Data.Length);
                images++;
            }
            catch (ImageFormatException e)
            {
                Assert.Contains(name, e.Message);
            }
        }
        Assert.InRange(images, 0, cases);
    }

    [Fact]
    public void Decode_RandomMutationsOfJpeg_OnlyCleanErrorsOrImages()
    {
        foreach (var name in new[] { "rgb.jpg", "progressive.jpg" })
        {
            var original = File.ReadAllBytes(Numeric.Fixture("codecs/" + name));
            var rng = new Random(99);
            for (int k = 0; k < 1500; k++)
            {
                var bytes = Mutate(original, rng);
                try
                {
                    var img = JpegDecoder.Decode(bytes, name);
                    Assert.Equal(img.Width * img.Height * img.Channels, img.Data.Length);
                }
                catch (ImageFormatException e)
                {
                    Assert.Contains(name, e.Message);
                }
            }
        }
    }

    private static byte[] Mutate(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone();
        switch (rng.Next(4))
        {
            case 0:
                for (int i = rng.Next(1, 4); i > 0; i--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                return b;
            case 1:
                b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 2:
                return b[..rng.Next(b.Length)];
            default:
                int at = rng.Next(b.Length), len = rng.Next(1, 16);
                var ins = new byte[len];
                rng.NextBytes(ins);
                return [.. b[..at], .. ins, .. b[at..]];
        }
    }

    private static void FixCrcs(byte[] png)
    {
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            uint len = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (len > png.Length - pos - 12) return;
            uint crc = Crc32Reference(png.AsSpan(pos + 4, 4 + (int)len));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)len), crc);
            pos += 12 + (int)len;
        }
    }

    private static uint Crc32Reference(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte x in data)
        {
            c ^= x;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
