using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>
/// Base of the network building blocks, mirroring <c>torch.nn.Module</c>'s naming: a module owns
/// parameters, buffers and child modules in registration order, and its state-dict keys are the dotted
/// paths PyTorch produces (<c>features.stage1.unit1.conv.weight</c>, <c>bn.running_mean</c>,
/// <c>bn.num_batches_tracked</c>): for each module, its parameters, then its buffers, then its children.
/// Parameters registered as null (an absent bias) are left out, as in PyTorch.
/// </summary>
public abstract class Module
{
    private readonly List<string> _parameterNames = new();
    private readonly Dictionary<string, Tensor?> _parameters = new(StringComparer.Ordinal);
    private readonly List<string> _bufferNames = new();
    private readonly Dictionary<string, object> _buffers = new(StringComparer.Ordinal);
    private readonly List<string> _childNames = new();
    private readonly Dictionary<string, Module> _children = new(StringComparer.Ordinal);

    /// <summary>Training mode (true after construction); <see cref="Train"/> / <see cref="Eval"/> change it recursively.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a parameter (sets <see cref="Tensor.RequiresGrad"/>); null registers an absent one.</summary>
    protected Tensor? RegisterParameter(string name, Tensor? value)
    {
        CheckName(name);
        if (value is not null)
        {
            if (!value.IsLeaf) throw new ArgumentException($"parameter '{name}' must be a leaf tensor");
            value.RequiresGrad = true;
        }
        _parameterNames.Add(name);
        _parameters[name] = value;
        return value;
    }

    /// <summary>Registers a float buffer (state that is saved but not trained, e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        _bufferNames.Add(name);
        _buffers[name] = value;
        return value;
    }

    /// <summary>Registers a scalar int64 buffer (e.g. <c>num_batches_tracked</c>).</summary>
    protected Int64Buffer RegisterBuffer(string name, Int64Buffer value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        _bufferNames.Add(name);
        _buffers[name] = value;
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _childNames.Add(name);
        _children[name] = module;
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"module member name '{name}' must be non-empty and contain no '.'", nameof(name));
        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _children.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
    }

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _childNames.Select(n => (n, _children[n]));

    /// <summary>This module (name "") and all descendants, pre-order, with dotted names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (n, c) in NamedChildren())
            foreach (var item in c.NamedModules(Join(prefix, n))) yield return item;
    }

    /// <summary>All parameters with their dotted names, in state-dict order (each tensor once).</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var n in m._parameterNames)
                if (m._parameters[n] is { } p && seen.Add(p)) yield return (Join(prefix, n), p);
    }

    /// <summary>All parameters, in state-dict order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>All buffers (float <see cref="Tensor"/> or <see cref="Int64Buffer"/>) with their dotted names.</summary>
    public IEnumerable<(string Name, object Buffer)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var n in m._bufferNames) yield return (Join(prefix, n), m._buffers[n]);
    }

    /// <summary>Sets training mode on this module and all descendants; returns this.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = mode;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Drops the gradients of all parameters (<c>Grad = null</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Every state entry (parameter or buffer) with its dotted key, in PyTorch's state-dict order.</summary>
    private IEnumerable<(string Key, object Slot)> StateSlots(string prefix = "")
    {
        foreach (var n in _parameterNames)
            if (_parameters[n] is { } p) yield return (Join(prefix, n), p);
        foreach (var n in _bufferNames) yield return (Join(prefix, n), _buffers[n]);
        foreach (var n in _childNames)
            foreach (var s in _children[n].StateSlots(Join(prefix, n))) yield return s;
    }

    /// <summary>State-dict keys in order.</summary>
    public IEnumerable<string> StateDictKeys() => StateSlots().Select(s => s.Key);

    /// <summary>
    /// A copy of every parameter and buffer as named arrays (F32; <see cref="Int64Buffer"/> as a 0-d I64),
    /// keyed and ordered like PyTorch's <c>state_dict()</c>.
    /// </summary>
    public Dictionary<string, NamedArray> StateDict()
    {
        var d = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var (key, slot) in StateSlots())
            d[key] = slot switch
            {
                Tensor t => NamedArray.FromFloats((float[])t.Data.Clone(), t.Shape.Select(x => (long)x).ToArray()),
                Int64Buffer b => NamedArray.Int64Scalar(b.Value),
                _ => throw new InvalidOperationException($"unexpected state slot type {slot.GetType().Name}"),
            };
        return d;
    }

    /// <summary>
    /// Copies values from <paramref name="stateDict"/> into the parameters and buffers with the same key
    /// (in place: references to the tensors stay valid). A shape mismatch is an <see cref="ArgumentException"/>
    /// naming the key and both shapes, in either mode, and nothing is modified. Strict mode also throws when
    /// keys are missing or unexpected; loose mode loads the matching keys and reports the others.
    /// </summary>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, NamedArray> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var slots = StateSlots().ToList();
        var known = new HashSet<string>(slots.Select(s => s.Key), StringComparer.Ordinal);
        var missing = new List<string>();
        var toLoad = new List<(object Slot, NamedArray Value)>();
        foreach (var (key, slot) in slots)
        {
            if (!stateDict.TryGetValue(key, out var value)) { missing.Add(key); continue; }
            long[] want = slot is Tensor t ? t.Shape.Select(x => (long)x).ToArray() : [];
            if (!want.SequenceEqual(value.Shape))
                throw new ArgumentException($"state dict entry '{key}' has shape [{string.Join(", ", value.Shape)}], the module expects [{string.Join(", ", want)}]");
            toLoad.Add((slot, value));
        }
        var unexpected = stateDict.Keys.Where(k => !known.Contains(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException($"error loading state dict into {GetType().Name}: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}]");
        foreach (var (slot, value) in toLoad)
        {
            switch (slot)
            {
                case Tensor t: value.Data.AsSpan().CopyTo(t.Data); break;
                case Int64Buffer b: b.Value = value.Int64Data?[0] ?? (long)value.Data[0]; break;
            }
        }
        return new StateDictLoadResult(missing, unexpected);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}
