using System.CommandLine;
using System.Reflection;

namespace PoseKD.Cli;

/// <summary>Entry point of the <c>posekd</c> command. Only here do exceptions become exit codes.</summary>
public static class Program
{
    /// <summary>The version printed by both <c>posekd version</c> and <c>posekd --version</c> (the informational version).</summary>
    public static string VersionText { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Program).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Runs the command line and returns the process exit code (0 success, 1 error, 2 usage error or problems found).</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = BuildRoot();
        if (args.Length > 0 && !args[0].StartsWith('-') && !root.Subcommands.Any(c => c.Name == args[0] || c.Aliases.Contains(args[0])))
        {
            Console.Error.WriteLine($"posekd: unknown verb '{args[0]}'; the verbs are {string.Join(", ", root.Subcommands.Select(c => c.Name))} (see posekd --help)");
            return 2;
        }
        if (args is ["--version"]) args = ["version"];
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"posekd: {Describe(e)}");
            return 1;
        }
    }

    /// <summary>Builds the root command with every discovered verb, sorted by name.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("PoseKD: 6D object pose estimation and knowledge distillation in .NET.");
        var verbs = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IVerb).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => ((IVerb)Activator.CreateInstance(t)!).Build())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var verb in verbs) root.Subcommands.Add(verb);
        root.SetAction(parse =>
        {
            // No verb: the help, as an error (a script that forgot the verb must not pass).
            root.Parse("--help").Invoke();
            return 2;
        });
        return root;
    }

    /// <summary>One line for a user: the message of a known failure, or the exception type for an unexpected one.</summary>
    internal static string Describe(Exception e)
    {
        if (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        if (e is AggregateException { InnerExceptions.Count: 1 } agg) e = agg.InnerExceptions[0];
        return e switch
        {
            OutOfMemoryException => "not enough memory for this run (use smaller images, fewer threads or a smaller batch)",
            UnauthorizedAccessException => $"permission denied: {e.Message}",
            FormatException or IOException or ArgumentException or InvalidOperationException or NotSupportedException or KeyNotFoundException => e.Message,
            _ => $"internal error ({e.GetType().Name}): {e.Message} — please report it with the command line",
        };
    }
}
