using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Optim;

/// <summary>
/// Stochastic gradient descent as <c>torch.optim.SGD</c> 1.13: d = g + wd·p (coupled weight decay);
/// with momentum μ the buffer b starts as d and then b ← μ·b + (1 − dampening)·d; the step uses
/// d + μ·b (Nesterov) or b; p ← p − lr·d.
/// State dict keys: <c>lr</c>, <c>momentum</c>, <c>dampening</c>, <c>weight_decay</c> (F64), <c>nesterov</c> (I64 0/1)
/// and <c>state.i.momentum_buffer</c> for every parameter index i that has a buffer.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[]?[] _buffers;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr)
    {
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "expected momentum ≥ 0");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "expected weight decay ≥ 0");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening");
        Momentum = momentum; Dampening = dampening; WeightDecay = weightDecay; Nesterov = nesterov;
        _buffers = new float[]?[Parameters.Count];
    }

    /// <summary>Momentum μ.</summary>
    public double Momentum { get; private set; }
    /// <summary>Dampening of the momentum update.</summary>
    public double Dampening { get; private set; }
    /// <summary>Coupled (L2) weight decay.</summary>
    public double WeightDecay { get; private set; }
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; private set; }

    /// <inheritdoc />
    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var g = GradOf(p);
            if (p.Grad is null) continue;
            bool first = _buffers[i] is null;
            if (Momentum != 0) _buffers[i] ??= new float[p.Numel];
            OptimKernels.SgdStep(g, p.Data, _buffers[i] ?? [], LearningRate, Momentum, Dampening, WeightDecay, Nesterov, first);
        }
    }

    /// <inheritdoc />
    public override Dictionary<string, NamedArray> StateDict()
    {
        var d = new Dictionary<string, NamedArray>(StringComparer.Ordinal)
        {
            ["lr"] = NamedArray.Float64Scalar(LearningRate),
            ["momentum"] = NamedArray.Float64Scalar(Momentum),
            ["dampening"] = NamedArray.Float64Scalar(Dampening),
            ["weight_decay"] = NamedArray.Float64Scalar(WeightDecay),
            ["nesterov"] = NamedArray.Int64Scalar(Nesterov ? 1 : 0),
        };
        for (int i = 0; i < Parameters.Count; i++)
            if (_buffers[i] is { } b) d[$"state.{i}.momentum_buffer"] = NamedArray.FromFloats((float[])b.Clone(), ShapeOf(Parameters[i]));
        return d;
    }

    /// <inheritdoc />
    public override void LoadStateDict(IReadOnlyDictionary<string, NamedArray> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffers = new float[]?[Parameters.Count];
        for (int i = 0; i < Parameters.Count; i++)
            if (state.ContainsKey($"state.{i}.momentum_buffer")) buffers[i] = BufferFor(state, $"state.{i}.momentum_buffer", Parameters[i]);
        LearningRate = ScalarF64(state, "lr");
        Momentum = ScalarF64(state, "momentum");
        Dampening = ScalarF64(state, "dampening");
        WeightDecay = ScalarF64(state, "weight_decay");
        Nesterov = ScalarI64(state, "nesterov") != 0;
        Array.Copy(buffers, _buffers, buffers.Length);
    }
}
