namespace PoseKD.Data.Imaging;

/// <summary>An image file is corrupt, truncated or of an unsupported kind; the message names the file.</summary>
public sealed class ImageFormatException : FormatException
{
    /// <summary>Name (usually the path) of the offending file.</summary>
    public string FileName { get; }

    /// <summary>Creates the exception for <paramref name="fileName"/> with a description of the problem.</summary>
    public ImageFormatException(string fileName, string problem, Exception? inner = null)
        : base($"{fileName}: {problem}", inner) => FileName = fileName;
}
