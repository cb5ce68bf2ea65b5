namespace PoseKD.Geometry;

/// <summary>
/// A JSON or CSV file of a BOP dataset or results (models_info.json, scene_gt.json, results CSV, …)
/// is malformed; the message names the file, the field and what was expected.
/// </summary>
public sealed class BopFormatException : FormatException
{
    /// <summary>Path of the offending file.</summary>
    public string FilePath { get; }

    /// <summary>Field (JSON path or CSV line/column) where the problem was found.</summary>
    public string Field { get; }

    /// <summary>Creates the exception; the message reads <c>file 'path', field 'x': detail</c>.</summary>
    public BopFormatException(string filePath, string field, string detail, Exception? inner = null)
        : base($"file '{filePath}', field '{field}': {detail}", inner)
    {
        FilePath = filePath;
        Field = field;
    }
}
