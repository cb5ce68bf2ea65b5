namespace PoseKD.Engine.Serialization;

/// <summary>A safetensors file is malformed: the message names the file, the field and what was expected.</summary>
public sealed class SafeTensorsFormatException : FormatException
{
    /// <summary>Creates the exception with a complete message.</summary>
    public SafeTensorsFormatException(string message) : base(message) { }
}
