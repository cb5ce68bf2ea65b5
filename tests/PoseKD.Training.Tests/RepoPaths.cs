namespace PoseKD.Training.Tests;

/// <summary>Locates files of the repository (e.g. <c>configs/ape.yaml</c>) from the test assembly's folder.</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PoseKD.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException($"repository root (PoseKD.slnx) not found above {AppContext.BaseDirectory}");
        }
    }

    public static string Config(string name) => Path.Combine(Root, "configs", name);
}
