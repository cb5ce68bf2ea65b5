using PoseKD.Data.Imaging;

namespace PoseKD.Data.Tests.Imaging;

public sealed class PngEncoderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Encode_RandomAndSmoothImage_RoundTripsExactly(int channels)
    {
        var rng = new Random(11 + channels);
        var img = new Image8(37, 19, channels);
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                for (int c = 0; c < channels; c++)
                    img.Data[(y * img.Width + x) * channels + c] = (byte)(y < 9 ? rng.Next(256) : (x * 7 + y * 3 + c * 50) & 255);
        var back = PngDecoder.Decode(PngEncoder.Encode(img), "roundtrip");
        Assert.Equal((img.Width, img.Height, img.Channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(img.Data, back.Data);
    }

    [Fact]
    public void Encode16_DepthMap_RoundTripsExactly()
    {
        var rng = new Random(3);
        var img = new Image16(31, 12, 1);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (ushort)(i % 5 == 0 ? 0 : rng.Next(65536));
        var back = PngDecoder.Decode16(PngEncoder.Encode16(img), "depth");
        Assert.Equal(img.Data, back.Data);
    }

    [Fact]
    public void Encode_SameImage_ByteIdentical()
    {
        var img = new Image8(16, 16, 3);
        new Random(1).NextBytes(img.Data);
        Assert.Equal(PngEncoder.Encode(img), PngEncoder.Encode(img));
    }
}
