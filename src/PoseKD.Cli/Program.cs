using System.CommandLine;
using System.Reflection;

namespace PoseKD.Cli;

/// <summary>Entry point of the <c>posekd</c> command. Only here do exceptions become exit codes.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = BuildRoot();
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
        return root;
    }

    private static string Describe(Exception e)
    {
        if (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        if (e is AggregateException { InnerExceptions.Count: 1 } agg) e = agg.InnerExceptions[0];
        return e.Message;
    }
}
