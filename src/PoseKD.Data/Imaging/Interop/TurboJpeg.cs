using System.Runtime.InteropServices;

namespace PoseKD.Data.Imaging.Interop;

/// <summary>
/// P/Invoke into libjpeg-turbo's TurboJPEG API (Debian package <c>libturbojpeg0</c>). One safe wrapper per
/// function; the library is probed once with <see cref="NativeLibrary.TryLoad(string, out nint)"/>.
/// </summary>
internal static partial class TurboJpeg
{
    /// <summary>Shared library name (soname) of libjpeg-turbo's TurboJPEG API.</summary>
    public const string LibraryName = "libturbojpeg.so.0";

    /// <summary>Debian package that provides <see cref="LibraryName"/>.</summary>
    public const string DebianPackage = "libturbojpeg0";

    /// <summary>TJPF_RGB: 3 bytes per pixel, R, G, B.</summary>
    public const int PixelFormatRgb = 0;

    /// <summary>TJPF_GRAY: 1 byte per pixel.</summary>
    public const int PixelFormatGray = 6;

    /// <summary>TJFLAG_LIMITSCANS: refuse progressive files with more than 500 scans (bounded decode time).</summary>
    public const int FlagLimitScans = 32768;

    /// <summary>TJFLAG_STOPONWARNING: treat libjpeg warnings (e.g. premature end of data) as errors.</summary>
    public const int FlagStopOnWarning = 8192;

    /// <summary>TJCS_GRAY from <c>tjDecompressHeader3</c>.</summary>
    public const int ColorspaceGray = 2;

    private static readonly Lazy<bool> Loaded = new(() => NativeLibrary.TryLoad(LibraryName, typeof(TurboJpeg).Assembly, null, out _));

    /// <summary>True when libturbojpeg can be loaded.</summary>
    public static bool IsAvailable => Loaded.Value;

    /// <summary>Throws a clear error naming the Debian package when the library is missing.</summary>
    public static void EnsureAvailable()
    {
        if (!IsAvailable)
            throw new DllNotFoundException($"JPEG decoding needs {LibraryName} (install the Debian package '{DebianPackage}': apt-get install {DebianPackage})");
    }

    [LibraryImport(LibraryName, EntryPoint = "tjInitDecompress")]
    private static partial nint InitDecompressNative();

    [LibraryImport(LibraryName, EntryPoint = "tjDecompressHeader3")]
    private static unsafe partial int DecompressHeader3Native(nint handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int subsamp, out int colorspace);

    [LibraryImport(LibraryName, EntryPoint = "tjDecompress2")]
    private static unsafe partial int Decompress2Native(nint handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(LibraryName, EntryPoint = "tjDestroy")]
    private static partial int DestroyNative(nint handle);

    [LibraryImport(LibraryName, EntryPoint = "tjGetErrorStr2")]
    private static partial nint GetErrorStr2Native(nint handle);

    /// <summary><c>tjInitDecompress</c>: a new decompressor handle (0 on failure).</summary>
    public static nint InitDecompress()
    {
        EnsureAvailable();
        return InitDecompressNative();
    }

    /// <summary><c>tjDecompressHeader3</c>: size, subsampling and colour space; returns 0 on success.</summary>
    public static unsafe int DecompressHeader(nint handle, ReadOnlySpan<byte> jpeg, out int width, out int height, out int subsamp, out int colorspace)
    {
        fixed (byte* p = jpeg) return DecompressHeader3Native(handle, p, (nuint)jpeg.Length, out width, out height, out subsamp, out colorspace);
    }

    /// <summary><c>tjDecompress2</c> into <paramref name="dst"/> (height·pitch bytes); returns 0 on success.</summary>
    public static unsafe int Decompress(nint handle, ReadOnlySpan<byte> jpeg, Span<byte> dst, int width, int pitch, int height, int pixelFormat, int flags)
    {
        if ((long)pitch * height > dst.Length) throw new ArgumentException($"destination holds {dst.Length} bytes, need {pitch}×{height}", nameof(dst));
        fixed (byte* p = jpeg)
        fixed (byte* d = dst)
            return Decompress2Native(handle, p, (nuint)jpeg.Length, d, width, pitch, height, pixelFormat, flags);
    }

    /// <summary><c>tjDestroy</c>.</summary>
    public static void Destroy(nint handle)
    {
        if (handle != 0) DestroyNative(handle);
    }

    /// <summary><c>tjGetErrorStr2</c>: the last error message of <paramref name="handle"/>.</summary>
    public static string ErrorString(nint handle) => Marshal.PtrToStringUTF8(GetErrorStr2Native(handle)) ?? "unknown libjpeg-turbo error";
}
