namespace PoseKD.Training.Config;

/// <summary>
/// A configuration file that cannot be used: the message names the file, the key (as <c>SECTION.KEY</c>),
/// the line and what was expected.
/// </summary>
public sealed class ConfigException : FormatException
{
    /// <summary>Creates the exception with a message that already names file, key and expectation.</summary>
    public ConfigException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public ConfigException(string message, Exception inner) : base(message, inner) { }
}
