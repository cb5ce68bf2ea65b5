namespace PoseKD.Cli;

/// <summary>
/// Checks of the paths a verb is given, made before any work so that a wrong path gets one clear line
/// ("… is a folder; expected the results CSV file") instead of an operating-system message.
/// </summary>
internal static class CliPaths
{
    /// <summary>An existing file: not a folder, present.</summary>
    public static string File(string path, string what, string option)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{option} {path} is a folder; expected the {what} file");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{option}: {what} not found: {path}", path);
        return path;
    }

    /// <summary>An existing folder: not a file, present.</summary>
    public static string Folder(string path, string what, string option)
    {
        if (System.IO.File.Exists(path)) throw new ArgumentException($"{option} {path} is a file; expected the {what} folder");
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{option}: {what} folder not found: {path}");
        return path;
    }

    /// <summary>A file to write: not an existing folder, and no file where a parent folder must be.</summary>
    public static string Output(string path, string what, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"{option} {path} is a folder; expected a path for the {what} file");
        for (string? a = Path.GetDirectoryName(full); a != null; a = Path.GetDirectoryName(a))
            if (System.IO.File.Exists(a)) throw new ArgumentException($"{option} {path}: cannot write the {what} there, {a} is a file, not a folder");
        return path;
    }

    /// <summary>True when two paths name the same file (full paths compared).</summary>
    public static bool Same(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
