namespace PoseKD.Geometry.Meshes;

/// <summary>A PLY file is malformed or truncated; the message names the file and the element.</summary>
public sealed class PlyFormatException : FormatException
{
    /// <summary>Path of the offending file.</summary>
    public string FilePath { get; }

    /// <summary>Header line, element or property where the problem was found.</summary>
    public string Element { get; }

    /// <summary>Creates the exception; the message reads <c>PLY file 'path', element 'x': detail</c>.</summary>
    public PlyFormatException(string filePath, string element, string detail, Exception? inner = null)
        : base($"PLY file '{filePath}', {element}: {detail}", inner)
    {
        FilePath = filePath;
        Element = element;
    }
}
