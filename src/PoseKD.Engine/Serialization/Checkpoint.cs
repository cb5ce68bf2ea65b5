using PoseKD.Engine.Nn;
using PoseKD.Engine.Optim;

namespace PoseKD.Engine.Serialization;

/// <summary>
/// Saving and loading of model weights and training state as safetensors, and import of PyTorch
/// <c>.pth</c> weights into a <see cref="Module"/>.
/// A training checkpoint holds <c>model.&lt;state-dict key&gt;</c>, <c>optim.&lt;key&gt;</c> and <c>sched.&lt;key&gt;</c>
/// arrays plus string metadata (e.g. the step); a weights file holds the bare state-dict keys, so it is the
/// PyTorch state dict in safetensors form. Writes are atomic (temporary file, then rename), so a run killed
/// while saving leaves the previous file intact.
/// </summary>
public static class Checkpoint
{
    private const string ModelPrefix = "model.", OptimPrefix = "optim.", SchedPrefix = "sched.";

    /// <summary>Metadata key/value that marks a training checkpoint written by <see cref="Save"/>.</summary>
    public const string KindKey = "posekd.kind", CheckpointKind = "checkpoint";

    /// <summary>Writes the model's state dict (PyTorch keys) to a safetensors file.</summary>
    public static void SaveWeights(string path, Module model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafeTensors.WriteArrays(path, model.StateDict(), metadata);
    }

    /// <summary>
    /// Loads weights into <paramref name="model"/> from a safetensors weights file, a safetensors training
    /// checkpoint (its <c>model.</c> entries) or a PyTorch <c>.pth</c> (a state dict or a dict holding
    /// <c>'model'</c>), chosen by content. Strict: keys must match exactly; loose: matching keys are loaded
    /// and the others reported. Shape mismatches always throw.
    /// </summary>
    public static StateDictLoadResult LoadWeights(string path, Module model, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.LoadStateDict(ReadWeights(path), strict);
    }

    /// <summary>The model state dict stored in <paramref name="path"/> (see <see cref="LoadWeights"/> for the accepted files).</summary>
    public static Dictionary<string, NamedArray> ReadWeights(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        if (IsPyTorch(path)) return PthReader.ReadStateDict(path);
        var all = SafeTensors.Read(path, out var metadata);
        return metadata.TryGetValue(KindKey, out var kind) && kind == CheckpointKind ? Section(all, ModelPrefix) : all;
    }

    /// <summary>Writes model, optimizer and scheduler state to one safetensors file, atomically.</summary>
    public static void Save(string path, Module model, Optimizer? optimizer = null, OneCycleLR? scheduler = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var arrays = Prefixed(ModelPrefix, model.StateDict());
        if (optimizer is not null) arrays = arrays.Concat(Prefixed(OptimPrefix, optimizer.StateDict()));
        if (scheduler is not null) arrays = arrays.Concat(Prefixed(SchedPrefix, scheduler.StateDict()));
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        meta[KindKey] = CheckpointKind;
        SafeTensors.WriteArrays(path, arrays, meta);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="Save"/>: the model (strict or loose), and the optimizer and
    /// scheduler when given (their state must be in the file). Returns the model's load result and the metadata.
    /// </summary>
    public static (StateDictLoadResult Model, Dictionary<string, string> Metadata) Load(string path, Module model, Optimizer? optimizer = null, OneCycleLR? scheduler = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = SafeTensors.Read(path, out var metadata);
        var modelState = Section(all, ModelPrefix);
        if (modelState.Count == 0) throw new SafeTensorsFormatException($"{path}: field 'model.*': expected a training checkpoint with model.* entries, found none");
        var optimState = Section(all, OptimPrefix);
        var schedState = Section(all, SchedPrefix);
        if (optimizer is not null && optimState.Count == 0) throw new SafeTensorsFormatException($"{path}: field 'optim.*': expected optimizer state, found none");
        if (scheduler is not null && schedState.Count == 0) throw new SafeTensorsFormatException($"{path}: field 'sched.*': expected scheduler state, found none");
        var result = model.LoadStateDict(modelState, strict);
        optimizer?.LoadStateDict(optimState);
        scheduler?.LoadStateDict(schedState);
        return (result, metadata);
    }

    private static Dictionary<string, NamedArray> Section(Dictionary<string, NamedArray> all, string prefix)
        => all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
              .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, NamedArray>> Prefixed(string prefix, Dictionary<string, NamedArray> d)
        => d.Select(kv => KeyValuePair.Create(prefix + kv.Key, kv.Value));

    /// <summary>
    /// A torch.save zip ('PK') or a legacy torch pickle (PROTO n, then LONG1 of its magic number: 80 0n 8a);
    /// a safetensors file starts with a little-endian header length whose third byte is 0 for any real header.
    /// </summary>
    private static bool IsPyTorch(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[3];
        if (fs.ReadAtLeast(magic, 3, throwOnEndOfStream: false) < 3) return false;
        return (magic[0] == 'P' && magic[1] == 'K') || (magic[0] == 0x80 && magic[1] <= 5 && magic[2] == 0x8a);
    }
}
