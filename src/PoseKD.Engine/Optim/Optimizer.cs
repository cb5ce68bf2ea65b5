using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Optim;

/// <summary>
/// Base of the optimizers: one parameter group (the parameters in a fixed order) and a learning rate
/// that a scheduler may change between steps. Parameters without a gradient are skipped by
/// <see cref="Step"/>, as in PyTorch. State round-trips through <see cref="StateDict"/> /
/// <see cref="LoadStateDict"/> (safetensors-ready named arrays) so that a resumed run continues bit-exactly.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Takes the parameters (order matters for the state dict) and the initial learning rate.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
        if (Parameters.Distinct().Count() != Parameters.Count) throw new ArgumentException("optimizer got some parameter more than once", nameof(parameters));
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "expected a learning rate ≥ 0");
        LearningRate = learningRate;
    }

    /// <summary>The optimized tensors, in state-dict order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Learning rate used by the next <see cref="Step"/> (a scheduler sets it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public abstract void Step();

    /// <summary>Drops the gradients of all parameters (<c>Grad = null</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad = null;
    }

    /// <summary>The optimizer's state as named arrays (hyper-parameters as F64, step counts as I64, buffers as F32).</summary>
    public abstract Dictionary<string, NamedArray> StateDict();

    /// <summary>Restores a state written by <see cref="StateDict"/> for the same parameter list.</summary>
    public abstract void LoadStateDict(IReadOnlyDictionary<string, NamedArray> state);

    /// <summary>The gradient of <paramref name="p"/> as a span, or an empty span if it has none; checks its shape.</summary>
    protected static ReadOnlySpan<float> GradOf(Tensor p)
    {
        if (p.Grad is null) return default;
        if (p.Grad.Numel != p.Numel)
            throw new ArgumentException($"gradient shape {Shapes.Format(p.Grad.Shape)} does not match parameter shape {Shapes.Format(p.Shape)}");
        return p.Grad.Data;
    }

    /// <summary>Reads a required entry of a state dict, with a clear error when it is absent.</summary>
    protected static NamedArray Required(IReadOnlyDictionary<string, NamedArray> state, string key)
        => state.TryGetValue(key, out var a) ? a : throw new ArgumentException($"optimizer state has no entry '{key}'");

    /// <summary>Reads a scalar F64 (or any numeric) entry exactly.</summary>
    protected static double ScalarF64(IReadOnlyDictionary<string, NamedArray> state, string key)
    {
        var a = Required(state, key);
        return a.Float64Data?[0] ?? (a.Int64Data is { } l ? l[0] : a.Data[0]);
    }

    /// <summary>Reads a scalar I64 entry.</summary>
    protected static long ScalarI64(IReadOnlyDictionary<string, NamedArray> state, string key)
    {
        var a = Required(state, key);
        return a.Int64Data?[0] ?? (long)(a.Float64Data?[0] ?? a.Data[0]);
    }

    /// <summary>Copies a buffer entry, checking it has the parameter's shape.</summary>
    protected static float[] BufferFor(IReadOnlyDictionary<string, NamedArray> state, string key, Tensor p)
    {
        var a = Required(state, key);
        if (!a.Shape.Select(d => (int)d).SequenceEqual(p.Shape))
            throw new ArgumentException($"optimizer state '{key}' has shape [{string.Join(", ", a.Shape)}], the parameter has shape {Shapes.Format(p.Shape)}");
        return (float[])a.Data.Clone();
    }

    /// <summary>The parameter's shape as long[] (for state-dict arrays).</summary>
    protected static long[] ShapeOf(Tensor p) => p.Shape.Select(d => (long)d).ToArray();
}
