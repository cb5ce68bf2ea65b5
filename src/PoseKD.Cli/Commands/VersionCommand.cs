using System.CommandLine;

namespace PoseKD.Cli.Commands;

/// <summary><c>posekd version</c> (same output as <c>posekd --version</c>): prints the PoseKD version.</summary>
public sealed class VersionCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var cmd = new Command("version", "Print the PoseKD version (same as --version).");
        cmd.SetAction(_ =>
        {
            Console.WriteLine(Program.VersionText);
            return 0;
        });
        return cmd;
    }
}
