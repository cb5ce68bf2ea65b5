using System.CommandLine;

namespace PoseKD.Cli.Commands;

/// <summary><c>posekd version</c>: prints the PoseKD version and the native libraries found.</summary>
public sealed class VersionCommand : IVerb
{
    /// <inheritdoc />
    public Command Build()
    {
        var cmd = new Command("version", "Print the PoseKD version.");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"posekd {typeof(VersionCommand).Assembly.GetName().Version}");
            return 0;
        });
        return cmd;
    }
}
