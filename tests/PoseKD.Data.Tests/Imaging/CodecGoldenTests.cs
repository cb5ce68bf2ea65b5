using PoseKD.Data.Imaging;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;

namespace PoseKD.Data.Tests.Imaging;

/// <summary>Decodes PNG/JPEG files written by libpng (OpenCV), pypng and libjpeg (tools/golden/codecs.py).</summary>
public sealed class CodecGoldenTests
{
    private static readonly Lazy<Dictionary<string, NamedArray>> Expected =
        new(() => SafeTensors.Read(Numeric.Fixture("codecs/expected.safetensors")));

    public static TheoryData<string> Png8Files => new()
    {
        "rgb8.png", "grey8.png", "rgba8.png", "grey1.png", "grey2.png", "grey4.png", "greyalpha8.png",
        "palette4_trns.png", "palette8.png", "palette2.png", "grey8_key.png", "rgb8_key.png",
        "adam7_rgb8.png", "adam7_grey2.png", "adam7_palette4.png",
    };

    public static TheoryData<string> Png16Files => new()
    {
        "grey16.png", "rgb16.png", "greyalpha16.png", "rgba16.png", "adam7_greyalpha16.png",
    };

    [Theory]
    [MemberData(nameof(Png8Files))]
    public void Decode_PngFromOtherEncoder_MatchesExpectedPixels(string name)
    {
        var img = PngDecoder.Decode(File.ReadAllBytes(Numeric.Fixture("codecs/" + name)), name);
        AssertPixels(Expected.Value[name], img.Width, img.Height, img.Channels, img.Data.Select(b => (float)b).ToArray(), name);
    }

    [Theory]
    [MemberData(nameof(Png16Files))]
    public void Decode16_SixteenBitPng_KeepsValues(string name)
    {
        var bytes = File.ReadAllBytes(Numeric.Fixture("codecs/" + name));
        var img = PngDecoder.Decode16(bytes, name);
        AssertPixels(Expected.Value[name], img.Width, img.Height, img.Channels, img.Data.Select(v => (float)v).ToArray(), name);
        var img8 = PngDecoder.Decode(bytes, name);
        var exp8 = Expected.Value[name].Data.Select(v => (float)Math.Round(v * 255.0 / 65535.0, MidpointRounding.ToEven)).ToArray();
        Numeric.AssertClose(exp8, img8.Data.Select(b => (float)b).ToArray(), 0, 0, name + " (8-bit)");
    }

    [Theory]
    [InlineData("rgb.jpg")]
    [InlineData("grey.jpg")]
    [InlineData("progressive.jpg")]
    public void Decode_JpegFromOpenCv_MatchesOpenCvPixels(string name)
    {
        var img = JpegDecoder.Decode(File.ReadAllBytes(Numeric.Fixture("codecs/" + name)), name);
        AssertPixels(Expected.Value[name], img.Width, img.Height, img.Channels, img.Data.Select(b => (float)b).ToArray(), name);
    }

    [Fact]
    public void Read_ByContent_DispatchesPngAndJpeg()
    {
        Assert.Equal(3, ImageFile.Read(Numeric.Fixture("codecs/rgb8.png")).Channels);
        Assert.Equal(3, ImageFile.Read(Numeric.Fixture("codecs/rgb.jpg")).Channels);
        var rgb = ImageFile.ReadRgb(Numeric.Fixture("codecs/greyalpha8.png"));
        Assert.Equal(3, rgb.Channels);
    }

    private static void AssertPixels(NamedArray expected, int w, int h, int c, float[] actual, string name, double atol = 0)
    {
        Assert.Equal(new long[] { h, w, c }, expected.Shape);
        Numeric.AssertClose(expected.Data, actual, atol, 0, name);
    }
}
