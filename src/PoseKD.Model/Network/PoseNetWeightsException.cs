namespace PoseKD.Model.Network;

/// <summary>
/// A weights file that does not fit the network it is loaded into (another backbone, another N_CLASS, a tensor
/// of another shape, missing or unexpected keys). The message names the file, the key and what was expected.
/// </summary>
public sealed class PoseNetWeightsException : FormatException
{
    /// <summary>Creates the exception with its full message.</summary>
    public PoseNetWeightsException(string message) : base(message) { }

    /// <summary>Creates the exception with its full message and cause.</summary>
    public PoseNetWeightsException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a default message.</summary>
    public PoseNetWeightsException() : base("the weights file does not fit the network") { }
}
