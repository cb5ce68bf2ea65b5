using System.CommandLine;

namespace PoseKD.Cli;

/// <summary>
/// One `posekd` verb. Every non-abstract class implementing this interface in the CLI assembly is
/// discovered at start-up, so adding a verb means adding one file under <c>Commands/</c>.
/// </summary>
public interface IVerb
{
    /// <summary>Builds the System.CommandLine command (name, options, action) of this verb.</summary>
    Command Build();
}
