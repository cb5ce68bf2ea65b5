namespace PoseKD.Engine.Serialization;

/// <summary>
/// A PyTorch <c>.pth</c> file cannot be read: malformed archive, unsupported pickle opcode or a
/// class outside the allow-list. The message names the file, the field and what was expected.
/// </summary>
public sealed class PthFormatException : FormatException
{
    /// <summary>Creates the exception with a complete message.</summary>
    public PthFormatException(string message) : base(message) { }
}
