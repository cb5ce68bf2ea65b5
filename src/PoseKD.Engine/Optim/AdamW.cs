using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization"), numerically as
/// <c>torch.optim.AdamW</c> 1.13 with amsgrad = false: per parameter with a gradient, t ← t + 1,
/// p ← p·(1 − lr·wd), m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
/// p ← p − lr/(1 − β1^t)·m/(√v/√(1 − β2^t) + ε). Defaults are torch's (lr 1e-3, β (0.9, 0.999), ε 1e-8, wd 1e-2);
/// the reference trains with wd 1e-4.
/// State dict keys: <c>lr</c>, <c>beta1</c>, <c>beta2</c>, <c>eps</c>, <c>weight_decay</c> (F64) and, for every
/// parameter index i that has been stepped, <c>state.i.step</c> (I64), <c>state.i.exp_avg</c>, <c>state.i.exp_avg_sq</c>.
/// </summary>
public sealed class AdamW : Optimizer
{
    private readonly long[] _steps;
    private readonly float[]?[] _expAvg, _expAvgSq;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base(parameters, lr)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "expected 0 ≤ β1 < 1");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "expected 0 ≤ β2 < 1");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "expected ε ≥ 0");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "expected weight decay ≥ 0");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        _steps = new long[Parameters.Count];
        _expAvg = new float[]?[Parameters.Count];
        _expAvgSq = new float[]?[Parameters.Count];
    }

    /// <summary>β1.</summary>
    public double Beta1 { get; private set; }
    /// <summary>β2.</summary>
    public double Beta2 { get; private set; }
    /// <summary>ε.</summary>
    public double Eps { get; private set; }
    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; private set; }

    /// <summary>Step count of parameter <paramref name="index"/> (0 before its first update).</summary>
    public long StepCount(int index) => _steps[index];

    /// <inheritdoc />
    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var g = GradOf(p);
            if (p.Grad is null) continue;
            _expAvg[i] ??= new float[p.Numel];
            _expAvgSq[i] ??= new float[p.Numel];
            _steps[i]++;
            OptimKernels.AdamWStep(g, p.Data, _expAvg[i], _expAvgSq[i], LearningRate, Beta1, Beta2, Eps, WeightDecay, _steps[i]);
        }
    }

    /// <inheritdoc />
    public override Dictionary<string, NamedArray> StateDict()
    {
        var d = new Dictionary<string, NamedArray>(StringComparer.Ordinal)
        {
            ["lr"] = NamedArray.Float64Scalar(LearningRate),
            ["beta1"] = NamedArray.Float64Scalar(Beta1),
            ["beta2"] = NamedArray.Float64Scalar(Beta2),
            ["eps"] = NamedArray.Float64Scalar(Eps),
            ["weight_decay"] = NamedArray.Float64Scalar(WeightDecay),
        };
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (_expAvg[i] is null) continue;
            var shape = ShapeOf(Parameters[i]);
            d[$"state.{i}.step"] = NamedArray.Int64Scalar(_steps[i]);
            d[$"state.{i}.exp_avg"] = NamedArray.FromFloats((float[])_expAvg[i]!.Clone(), shape);
            d[$"state.{i}.exp_avg_sq"] = NamedArray.FromFloats((float[])_expAvgSq[i]!.Clone(), shape);
        }
        return d;
    }

    /// <inheritdoc />
    public override void LoadStateDict(IReadOnlyDictionary<string, NamedArray> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var steps = new long[Parameters.Count];
        var m = new float[]?[Parameters.Count];
        var v = new float[]?[Parameters.Count];
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (!state.ContainsKey($"state.{i}.step")) continue;
            steps[i] = ScalarI64(state, $"state.{i}.step");
            m[i] = BufferFor(state, $"state.{i}.exp_avg", Parameters[i]);
            v[i] = BufferFor(state, $"state.{i}.exp_avg_sq", Parameters[i]);
        }
        var extra = state.Keys.Where(k => k.StartsWith("state.", StringComparison.Ordinal)
            && !(int.TryParse(k.Split('.')[1], out int idx) && idx >= 0 && idx < Parameters.Count)).ToList();
        if (extra.Count > 0) throw new ArgumentException($"optimizer state names parameters this optimizer does not have ({Parameters.Count} parameters): {string.Join(", ", extra.Take(5))}");
        LearningRate = ScalarF64(state, "lr");
        Beta1 = ScalarF64(state, "beta1"); Beta2 = ScalarF64(state, "beta2");
        Eps = ScalarF64(state, "eps"); WeightDecay = ScalarF64(state, "weight_decay");
        Array.Copy(steps, _steps, steps.Length);
        Array.Copy(m, _expAvg, m.Length);
        Array.Copy(v, _expAvgSq, v.Length);
    }
}
