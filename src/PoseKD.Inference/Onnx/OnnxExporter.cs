using Google.Protobuf;
using PoseKD.Engine.Nn;
using PoseKD.Model.Network;

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

    /// <summary>
    /// Exports <paramref name="net"/> (backbone + FPN + head, inference mode, BatchNorm folded) with input
    /// <c>images</c> [B, 3, S, S] (S = <see cref="PoseModelMetadata.InputRes"/>) and per level k the outputs
    /// <c>cls_k</c> [B, N_CLASS − 1, H_k, W_k] and <c>reg_k</c> [B, 16·(N_CLASS − 1), H_k, W_k];
    /// <paramref name="metadata"/> goes into <c>metadata_props</c>. Returns the serialized model.
    /// </summary>
    /// <exception cref="ArgumentException">the metadata does not describe this network (classes, levels, strides) or S does not fit the backbone.</exception>
    public static byte[] ExportPoseNet(PoseNet net, PoseModelMetadata metadata, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(metadata);
        options ??= new OnnxExportOptions();
        options.Validate();
        var o = net.Options;
        if (metadata.NClass != o.NClass) throw new ArgumentException($"metadata says N_CLASS {metadata.NClass}, the network has {o.NClass}");
        if (!metadata.LevelStrides.SequenceEqual(o.LevelStrides))
            throw new ArgumentException($"metadata level strides [{string.Join(", ", metadata.LevelStrides)}] differ from the network's [{string.Join(", ", o.LevelStrides)}]");
        if (metadata.Backbone != o.Backbone) throw new ArgumentException($"metadata says backbone {metadata.Backbone}, the network is {o.Backbone}");
        int s = metadata.InputRes, div = net.Backbone.Info.OutputStrides[^1];
        if (s <= 0 || s % div != 0) throw new ArgumentException($"crop side {s} must be a positive multiple of {div} for {o.Backbone}");

        var g = new OnnxGraphBuilder($"posekd_{o.Backbone}");
        var e = new OnnxModuleEmitter(g, options.Opset);
        PoseNetGraphWriter.RegisterModules(e);
        var batch = options.BatchDim;
        var images = g.AddInput(PoseModelMetadata.ImagesInput, batch, 3, s, s);
        var backbone = PoseNetGraphWriter.Backbone(e, net.Backbone, images, "backbone");
        var levels = PoseNetGraphWriter.Fpn(e, net.Fpn, backbone, "fpn");
        var (cls, reg) = PoseNetGraphWriter.Head(e, net.Head, levels, "head");
        var sizes = LevelSizes(s, net.Backbone.Info.OutputStrides[^1], o.LevelStrides, net.Fpn.TopBlocks is not null);
        int nc = o.NumForegroundClasses;
        for (int k = 0; k < cls.Length; k++)
        {
            g.AddOutput(cls[k], PoseModelMetadata.ClsOutput(k), batch, nc, sizes[k], sizes[k]);
            g.AddOutput(reg[k], PoseModelMetadata.RegOutput(k), batch, 16 * nc, sizes[k], sizes[k]);
        }
        foreach (var (key, value) in metadata.ToProperties()) g.SetMetadata(key, value);
        return g.Build(options.Opset, InferenceAssembly.Version).ToByteArray();
    }

    /// <summary>Writes <see cref="ExportPoseNet"/>'s model to <paramref name="path"/> (creating the folder); returns its size in bytes.</summary>
    public static long SavePoseNet(PoseNet net, PoseModelMetadata metadata, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ExportPoseNet(net, metadata, options);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
        return bytes.Length;
    }

    /// <summary>Side of each level's map: S/stride for the FPN levels, then ⌈·/2⌉ twice for P6/P7 (3×3 stride-2 convs, padding 1).</summary>
    private static int[] LevelSizes(int s, int lastBackboneStride, IReadOnlyList<int> levelStrides, bool top)
    {
        int fpnLevels = levelStrides.Count - (top ? 2 : 0);
        var sizes = new int[levelStrides.Count];
        for (int k = 0; k < fpnLevels; k++) sizes[k] = s / levelStrides[k];
        if (top)
        {
            int last = s / lastBackboneStride;
            sizes[fpnLevels] = (last + 1) / 2;
            sizes[fpnLevels + 1] = (sizes[fpnLevels] + 1) / 2;
        }
        return sizes;
    }
}
