using PoseKD.Engine.Serialization;

namespace PoseKD.Model.Network;

/// <summary>
/// Loads weights into a <see cref="PoseNet"/>: a reference checkpoint (a PyTorch <c>.pth</c> state dict, or a
/// training checkpoint dict holding it under <c>'model'</c>), a PoseKD safetensors file, or an ImageNet backbone
/// (keys <c>features.*</c>, <c>output.*</c>). Every key is accounted for in a <see cref="PoseNetLoadReport"/>;
/// files of another backbone or N_CLASS, shape mismatches and (in strict mode) missing or unexpected keys are
/// rejected with a <see cref="PoseNetWeightsException"/> before anything is modified.
/// </summary>
public static class PoseNetWeights
{
    private const string DdpPrefix = "module.", BackbonePrefix = "backbone.";
    private const int ListedKeys = 8;

    /// <summary>
    /// Loads the whole network from <paramref name="path"/>. Strict (default): the file's keys must equal the
    /// network's, except <c>num_batches_tracked</c> counters absent from old files (known-ignored). A
    /// <c>module.</c> prefix (a DistributedDataParallel save) is removed. Loose: matching keys are loaded and the
    /// rest reported. The anchor buffers in the file must equal those the options define.
    /// </summary>
    /// <exception cref="FileNotFoundException">no such file.</exception>
    /// <exception cref="PoseNetWeightsException">the file does not fit the network (message names file, key, shapes).</exception>
    public static PoseNetLoadReport Load(PoseNet net, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(net);
        var file = StripPrefix(Checkpoint.ReadWeights(path), DdpPrefix);
        CheckIdentity(net, file, path, BackbonePrefix);
        return Apply(net, file, path, strict, key => true);
    }

    /// <summary>
    /// Loads ImageNet backbone weights (the imgclsmob / pytorchcv layout: <c>features.*</c>, <c>output.*</c>, or
    /// already prefixed <c>backbone.*</c>) into <c>backbone.*</c>; FPN and head keep their values. Strict on the
    /// backbone (default): every backbone key must be present and nothing else in the file.
    /// </summary>
    /// <exception cref="FileNotFoundException">no such file.</exception>
    /// <exception cref="PoseNetWeightsException">the file is not a backbone of this kind or does not fit.</exception>
    public static PoseNetLoadReport LoadBackbone(PoseNet net, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(net);
        var raw = StripPrefix(Checkpoint.ReadWeights(path), DdpPrefix);
        var file = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        var ignored = new List<(string, string)>();
        foreach (var (k, v) in raw)
        {
            if (k.StartsWith("fpn.", StringComparison.Ordinal) || k.StartsWith("head.", StringComparison.Ordinal) || k.StartsWith("anchor_generator.", StringComparison.Ordinal))
                ignored.Add((k, "not part of the backbone (the file is a whole network); only backbone.* is loaded"));
            else file[k.StartsWith(BackbonePrefix, StringComparison.Ordinal) ? k : BackbonePrefix + k] = v;
        }
        CheckIdentity(net, file, path, BackbonePrefix);
        var report = Apply(net, file, path, strict, key => key.StartsWith(BackbonePrefix, StringComparison.Ordinal));
        return report with { KnownIgnored = [.. report.KnownIgnored, .. ignored] };
    }

    /// <summary>
    /// The backbone a state dict was made for, from its keys (<paramref name="prefix"/> + <c>features.init_block</c> →
    /// darknet53; the width of <c>features.stage1.unit1.conv.weight</c>: 16 → darknet_tiny, 8 → darknet_tiny_h), or null.
    /// </summary>
    public static string? DetectBackbone(IReadOnlyDictionary<string, NamedArray> stateDict, string prefix = BackbonePrefix)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        if (stateDict.Keys.Any(k => k.StartsWith(prefix + "features.init_block.", StringComparison.Ordinal))) return "darknet53";
        if (stateDict.TryGetValue(prefix + "features.stage1.unit1.conv.weight", out var w) && w.Shape.Length == 4)
            return w.Shape[0] switch { 16 => "darknet_tiny", 8 => "darknet_tiny_h", _ => null };
        return null;
    }

    private static Dictionary<string, NamedArray> StripPrefix(Dictionary<string, NamedArray> d, string prefix)
    {
        if (d.Count == 0 || !d.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal))) return d;
        return d.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
    }

    private static void CheckIdentity(PoseNet net, IReadOnlyDictionary<string, NamedArray> file, string path, string prefix)
    {
        string want = net.Options.Backbone;
        string? found = DetectBackbone(file, prefix);
        if (found is not null && found != want)
            throw new PoseNetWeightsException($"{path}: the weights are for backbone {found}, but the network is {want} (choose --backbone {found} or another file)");
        if (file.TryGetValue("head.cls_logits.weight", out var cls) && cls.Shape.Length == 4 && cls.Shape[0] != net.Head.NumClasses)
            throw new PoseNetWeightsException($"{path}: head.cls_logits.weight has shape [{string.Join(", ", cls.Shape)}], i.e. N_CLASS = {cls.Shape[0] + 1}, but the network has N_CLASS = {net.Options.NClass} (expected [{net.Head.NumClasses}, ...])");
    }

    private static PoseNetLoadReport Apply(PoseNet net, Dictionary<string, NamedArray> file, string path, bool strict, Func<string, bool> inScope)
    {
        var own = net.StateDict();
        var matched = new List<string>();
        var missing = new List<string>();
        var ignored = new List<(string, string)>();
        var toLoad = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var (key, mine) in own)
        {
            if (!inScope(key)) continue;
            if (!file.TryGetValue(key, out var theirs))
            {
                if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                    ignored.Add((key, "BatchNorm step counter absent from the file (saved by an older PyTorch); kept at its current value"));
                else missing.Add(key);
                continue;
            }
            if (!mine.Shape.SequenceEqual(theirs.Shape))
                throw new PoseNetWeightsException($"{path}: '{key}' has shape [{string.Join(", ", theirs.Shape)}] in the file, the network ({net.Options.Backbone}, N_CLASS {net.Options.NClass}) expects [{string.Join(", ", mine.Shape)}]");
            if (key.StartsWith("anchor_generator.", StringComparison.Ordinal))
            {
                for (int i = 0; i < mine.Data.Length; i++)
                    if (Math.Abs(mine.Data[i] - theirs.Data[i]) > 1e-4f)
                        throw new PoseNetWeightsException($"{path}: '{key}' = [{string.Join(", ", theirs.Data)}] differs from the anchors of ANCHOR_SIZES/ANCHOR_STRIDES [{string.Join(", ", mine.Data)}]; the file was trained with other anchor settings");
            }
            matched.Add(key);
            toLoad[key] = theirs;
        }
        var unexpected = file.Keys.Where(k => !own.ContainsKey(k) || !inScope(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new PoseNetWeightsException($"{path}: does not match the {net.Options.Backbone} network: {missing.Count} missing key(s) {List(missing)}, {unexpected.Count} unexpected key(s) {List(unexpected)}");
        bool folded = net.IsBatchNormFolded;
        net.LoadStateDict(toLoad, strict: false);
        if (folded) net.FoldBatchNorm();
        return new PoseNetLoadReport(path, matched, missing, unexpected, ignored);
    }

    private static string List(IReadOnlyList<string> keys) =>
        keys.Count == 0 ? "[]" : "[" + string.Join(", ", keys.Take(ListedKeys)) + (keys.Count > ListedKeys ? $", … {keys.Count - ListedKeys} more" : "") + "]";
}
