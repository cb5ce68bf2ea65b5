using Google.Protobuf;
using PoseKD.Engine.Nn;

namespace PoseKD.Inference.Onnx;

/// <summary>
/// Writes PoseKD engine networks as ONNX models (inference mode: BatchNorm folded into the convolution
/// before it, running statistics, no autograd).
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// Exports a single-input, single-output <paramref name="layer"/> (e.g. a <see cref="Sequential"/> of
    /// Conv2d/BatchNorm2d/LeakyReLU/MaxPool2d/GroupNorm/ReLU/Scale) applied to an input <c>input</c> of
    /// shape [batch, <paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>];
    /// the output is <c>output</c> (shape left to the runtime). Returns the serialized model.
    /// </summary>
    public static byte[] ExportLayer(Layer layer, int channels, int height, int width, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        options ??= new OnnxExportOptions();
        options.Validate();
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"input shape must be positive, got [{channels}, {height}, {width}]");
        var g = new OnnxGraphBuilder(layer.GetType().Name);
        var emitter = new OnnxModuleEmitter(g, options.Opset);
        var x = g.AddInput("input", options.BatchDim, channels, height, width);
        var y = emitter.Emit(layer, x, "");
        g.AddOutput(y, "output");
        return g.Build(options.Opset, InferenceAssembly.Version).ToByteArray();
    }
}
