using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using PoseKD.Inference.Onnx;
using PoseKD.Inference.Onnx.Proto;
using PoseKD.Model.Network;
using Tensor = PoseKD.Engine.Tensors.Tensor;

namespace PoseKD.Inference.Runtime;

/// <summary>
/// Runs a network exported by <c>posekd export</c> in ONNX Runtime (CPU provider). The file is checked
/// before a session is made: a PoseKD model (metadata <c>posekd.*</c>), default-domain opset 13–18, one
/// input <c>images</c> [B, 3, S, S] (B fixed or symbolic) and the outputs <c>cls_k</c>/<c>reg_k</c> of every
/// level. <see cref="Run"/> is thread-safe (ONNX Runtime sessions allow concurrent runs).
/// </summary>
public sealed class OnnxNetworkRunner : INetworkRunner
{
    private readonly InferenceSession _session;
    private readonly string[] _outputNames;

    private OnnxNetworkRunner(InferenceSession session, PoseModelMetadata metadata, int? fixedBatch, string path, int opset)
    {
        _session = session;
        Metadata = metadata;
        FixedBatch = fixedBatch;
        Path = path;
        Opset = opset;
        _outputNames = Enumerable.Range(0, metadata.LevelCount).SelectMany(k => new[] { PoseModelMetadata.ClsOutput(k), PoseModelMetadata.RegOutput(k) }).ToArray();
    }

    /// <summary>Opens and checks <paramref name="path"/>; <paramref name="intraOpThreads"/> 0 lets ONNX Runtime choose.</summary>
    /// <exception cref="FileNotFoundException">no such file.</exception>
    /// <exception cref="FormatException">not an ONNX model, not a PoseKD export, or an unsupported opset/shape; the message names the file and what was expected.</exception>
    public static OnnxNetworkRunner Open(string path, int intraOpThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        return FromBytes(File.ReadAllBytes(path), path, intraOpThreads);
    }

    /// <summary>Checks and loads a serialized model; <paramref name="name"/> names it in messages.</summary>
    public static OnnxNetworkRunner FromBytes(byte[] model, string name = "<onnx>", int intraOpThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try { proto = ModelProto.Parser.ParseFrom(model); }
        catch (InvalidProtocolBufferException e) { throw new FormatException($"{name}: not an ONNX model (protobuf parse failed: {e.Message})", e); }
        if (proto.Graph is null || proto.Graph.Node.Count == 0) throw new FormatException($"{name}: not an ONNX model (no graph or an empty graph)");
        var opset = proto.OpsetImport.FirstOrDefault(o => o.Domain.Length == 0 || o.Domain == "ai.onnx");
        if (opset is null) throw new FormatException($"{name}: opset_import has no default (ai.onnx) domain entry");
        if (opset.Version < OnnxModuleEmitter.MinOpset || opset.Version > OnnxModuleEmitter.MaxOpset)
            throw new FormatException($"{name}: opset {opset.Version}, expected {OnnxModuleEmitter.MinOpset}–{OnnxModuleEmitter.MaxOpset} (re-export with `posekd export --opset 17`)");
        var meta = PoseModelMetadata.FromProperties(proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), name);
        var initializers = new HashSet<string>(proto.Graph.Initializer.Select(i => i.Name), StringComparer.Ordinal);
        var inputs = proto.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Name != PoseModelMetadata.ImagesInput)
            throw new FormatException($"{name}: expected one input '{PoseModelMetadata.ImagesInput}', got [{string.Join(", ", inputs.Select(i => i.Name))}]");
        var dims = inputs[0].Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count != 4)
            throw new FormatException($"{name}: input '{PoseModelMetadata.ImagesInput}' must be [B, 3, {meta.InputRes}, {meta.InputRes}], got rank {dims?.Count ?? 0}");
        string Dim(TensorShapeProto.Types.Dimension d) => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam;
        if (dims[1].DimValue != 3 || dims[2].DimValue != meta.InputRes || dims[3].DimValue != meta.InputRes)
            throw new FormatException($"{name}: input '{PoseModelMetadata.ImagesInput}' is [{string.Join(", ", dims.Select(Dim))}], expected [B, 3, {meta.InputRes}, {meta.InputRes}] (posekd.input_res)");
        int? fixedBatch = dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? (int)dims[0].DimValue : null;
        var outputs = new HashSet<string>(proto.Graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        for (int k = 0; k < meta.LevelCount; k++)
            foreach (var o in new[] { PoseModelMetadata.ClsOutput(k), PoseModelMetadata.RegOutput(k) })
                if (!outputs.Contains(o)) throw new FormatException($"{name}: output '{o}' is missing (metadata says {meta.LevelCount} levels)");

        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = intraOpThreads };
        try { return new OnnxNetworkRunner(new InferenceSession(model, options), meta, fixedBatch, name, (int)opset.Version); }
        catch (OnnxRuntimeException e) { throw new FormatException($"{name}: ONNX Runtime rejected the model: {e.Message}", e); }
        finally { options.Dispose(); }
    }

    /// <summary>The decoding metadata stored in the model.</summary>
    public PoseModelMetadata Metadata { get; }

    /// <summary>File the model came from.</summary>
    public string Path { get; }

    /// <summary>The model's default-domain opset.</summary>
    public int Opset { get; }

    /// <inheritdoc />
    public string Runtime => "onnx";

    /// <inheritdoc />
    public int InputRes => Metadata.InputRes;

    /// <inheritdoc />
    public int? FixedBatch { get; }

    /// <inheritdoc />
    public PoseNetOutput Run(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        int s = InputRes;
        if (images.Rank != 4 || images.Shape[1] != 3 || images.Shape[2] != s || images.Shape[3] != s)
            throw new ArgumentException($"{Path}: images must be [B, 3, {s}, {s}], got [{string.Join(", ", images.Shape)}]", nameof(images));
        if (FixedBatch is { } b && images.Shape[0] != b)
            throw new ArgumentException($"{Path}: the model was exported for batch {b}, got batch {images.Shape[0]} (export with --dynamic-batch to run any batch)", nameof(images));
        using var input = OrtValue.CreateTensorValueFromMemory(images.Data, images.Shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [PoseModelMetadata.ImagesInput], [input], _outputNames);
        var cls = new Tensor[Metadata.LevelCount];
        var reg = new Tensor[Metadata.LevelCount];
        for (int k = 0; k < Metadata.LevelCount; k++)
        {
            cls[k] = ToTensor(results[2 * k]);
            reg[k] = ToTensor(results[2 * k + 1]);
        }
        return new PoseNetOutput([], cls, reg);
    }

    private static Tensor ToTensor(OrtValue v)
    {
        var shape = v.GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
        return Tensor.FromArray(v.GetTensorDataAsSpan<float>().ToArray(), shape);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
