namespace PoseKD.Inference;

/// <summary>Marker for the deployment layer's assembly (ONNX export, ONNX Runtime path, <c>PoseEstimator</c>).</summary>
public static class InferenceAssembly
{
    /// <summary>The assembly's informational name.</summary>
    public const string Name = "PoseKD.Inference";

    /// <summary>The producer version written into exported ONNX models.</summary>
    public static string Version { get; } = typeof(InferenceAssembly).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
