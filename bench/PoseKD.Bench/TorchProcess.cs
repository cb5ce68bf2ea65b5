using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace PoseKD.Bench;

/// <summary>
/// Runs one PyTorch-side timing script of <c>bench/torch/</c> under Debian's <c>/usr/bin/python3</c> with the reference
/// on <c>PYTHONPATH</c> (<c>POSEKD_REF</c>, default <c>/tmp/ref/kd-6d-pose-adlp</c>) and the same thread count, and
/// returns the JSON object of its last stdout line.
/// </summary>
public static class TorchProcess
{
    /// <summary>The interpreter that has Debian's python3-torch.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Where the reference's modules are exported.</summary>
    public static string ReferenceDir => Environment.GetEnvironmentVariable("POSEKD_REF") ?? "/tmp/ref/kd-6d-pose-adlp";

    /// <summary><c>bench/torch/<paramref name="name"/></c> when it, the interpreter and the reference are all present, else null.</summary>
    public static string? Script(string name)
    {
        string script = Path.Combine(Program.RepoRoot(), "bench", "torch", name);
        return File.Exists(Python) && Directory.Exists(ReferenceDir) && File.Exists(script) ? script : null;
    }

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/>; prints a one-line reason and returns null on failure.</summary>
    public static JsonObject? Run(string script, IEnumerable<string> args, int threads, string label)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = ReferenceDir;
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (p.ExitCode != 0 || line is null)
        {
            Console.WriteLine($"  {label}.torch failed (exit {p.ExitCode}): {stderr.Result.Split('\n').LastOrDefault(l => l.Length > 0)}");
            return null;
        }
        return JsonNode.Parse(line)!.AsObject();
    }
}
