using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// 2-d batch normalisation of x [n, c, h, w], as <c>torch.nn.functional.batch_norm</c>.
    /// Training: per channel, μ and the biased σ² over (n, h, w); y = (x − μ)/√(σ² + eps)·γ + β; running stats
    /// (when given) are updated IN PLACE — running_mean ← (1−momentum)·running_mean + momentum·μ,
    /// running_var ← (1−momentum)·running_var + momentum·σ²·m/(m−1) (unbiased, m = n·h·w) — also under no-grad.
    /// Eval: y = (x − running_mean)/√(running_var + eps)·γ + β (running stats required).
    /// Differentiable in x, weight and bias (weight/bias may be null: no affine).
    /// </summary>
    public static Tensor BatchNorm2d(Tensor x, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"batch norm 2d expects an [n, c, h, w] input, got {Shapes.Format(x.Shape)}", nameof(x));
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        CheckChannelVector(weight, c, x, nameof(weight));
        CheckChannelVector(bias, c, x, nameof(bias));
        CheckChannelVector(runningMean, c, x, nameof(runningMean));
        CheckChannelVector(runningVar, c, x, nameof(runningVar));
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException("runningMean and runningVar must both be given or both be null");
        if (!training && runningMean is null)
            throw new ArgumentException("batch norm in eval mode needs running statistics");
        var y = Tensor.Empty(x.Shape);
        float[] stat0, stat1;
        if (training)
        {
            stat0 = BufferArena.Allocate(c); stat1 = BufferArena.Allocate(c);
            BatchNormKernels.ForwardTraining(x.Data, Span(weight), Span(bias), y.Data, stat0, stat1,
                runningMean is null ? default : runningMean.Data, runningVar is null ? default : runningVar.Data, momentum, eps, n, c, h, w);
        }
        else
        {
            BatchNormKernels.ForwardEval(x.Data, runningMean!.Data, runningVar!.Data, Span(weight), Span(bias), y.Data, eps, n, c, h, w);
            stat0 = (float[])runningMean.Data.Clone(); // saved: later in-place updates must not change this backward
            stat1 = (float[])runningVar!.Data.Clone();
        }
        var inputs = NonNull(x, weight, bias);
        if (GradMode.ShouldRecord(inputs)) y.SetGradFn(new BatchNorm2dNode(inputs, weight is not null, bias is not null, stat0, stat1, training, eps));
        return y;
    }

    /// <summary>
    /// Group normalisation of x [n, c, *] with <paramref name="groups"/> groups of c/groups consecutive channels,
    /// as <c>torch.nn.functional.group_norm</c>: per sample and group, μ and the biased σ² over the group's values,
    /// y = (x − μ)/√(σ² + eps)·γ[ch] + β[ch]. Differentiable in x, weight and bias (weight/bias may be null).
    /// </summary>
    public static Tensor GroupNorm(Tensor x, int groups, Tensor? weight, Tensor? bias, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2) throw new ArgumentException($"group norm expects an [n, c, *] input, got {Shapes.Format(x.Shape)}", nameof(x));
        int n = x.Shape[0], c = x.Shape[1], spatial = x.Numel / Math.Max(1, n * c);
        if (n * c == 0) spatial = 0;
        if (groups <= 0 || c % groups != 0)
            throw new ArgumentException($"group count {groups} must be positive and divide the channel count {c} of input {Shapes.Format(x.Shape)}", nameof(groups));
        CheckChannelVector(weight, c, x, nameof(weight));
        CheckChannelVector(bias, c, x, nameof(bias));
        var y = Tensor.Empty(x.Shape);
        var mean = BufferArena.Allocate(n * groups);
        var invstd = BufferArena.Allocate(n * groups);
        GroupNormKernels.Forward(x.Data, Span(weight), Span(bias), y.Data, mean, invstd, eps, n, c, spatial, 1, groups);
        var inputs = NonNull(x, weight, bias);
        if (GradMode.ShouldRecord(inputs)) y.SetGradFn(new GroupNormNode(inputs, weight is not null, bias is not null, mean, invstd, groups, spatial));
        return y;
    }

    private static ReadOnlySpan<float> Span(Tensor? t) => t is null ? default : t.Data;

    private static Tensor[] NonNull(Tensor x, Tensor? weight, Tensor? bias)
    {
        var list = new List<Tensor>(3) { x };
        if (weight is not null) list.Add(weight);
        if (bias is not null) list.Add(bias);
        return list.ToArray();
    }

    private static void CheckChannelVector(Tensor? t, int c, Tensor x, string name)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.Shape[0] != c)
            throw new ArgumentException($"{name} has shape {Shapes.Format(t.Shape)}, expected [{c}] for input {Shapes.Format(x.Shape)}", name);
    }

    /// <summary>Gradients of an (x, weight?, bias?) op, returned in its input order.</summary>
    private static Tensor?[] NormGrads(Tensor?[] byRole, bool hasWeight, bool hasBias)
    {
        var list = new List<Tensor?>(3) { byRole[0] };
        if (hasWeight) list.Add(byRole[1]);
        if (hasBias) list.Add(byRole[2]);
        return list.ToArray();
    }

    private sealed class BatchNorm2dNode(Tensor[] inputs, bool hasWeight, bool hasBias, float[] stat0, float[] stat1, bool training, float eps)
        : Node(inputs)
    {
        private float[]? _stat0 = stat0, _stat1 = stat1;

        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var x = Inputs[0];
            Tensor? weight = hasWeight ? Inputs[1] : null;
            int c = x.Shape[1];
            Tensor? dx = NeedsGrad(0) ? Tensor.Empty(x.Shape) : null;
            Tensor? dw = hasWeight && NeedsGrad(1) ? Tensor.Zeros(c) : null;
            Tensor? db = hasBias && NeedsGrad(hasWeight ? 2 : 1) ? Tensor.Zeros(c) : null;
            var (n, h, w) = (x.Shape[0], x.Shape[2], x.Shape[3]);
            if (training)
                BatchNormKernels.BackwardTraining(gradOutput.Data, x.Data, _stat0, _stat1, Span(weight),
                    dx is null ? default : dx.Data, dw is null ? default : dw.Data, db is null ? default : db.Data, n, c, h, w);
            else
                BatchNormKernels.BackwardEval(gradOutput.Data, x.Data, _stat0, _stat1, Span(weight),
                    dx is null ? default : dx.Data, dw is null ? default : dw.Data, db is null ? default : db.Data, eps, n, c, h, w);
            return NormGrads([dx, dw, db], hasWeight, hasBias);
        }

        protected override void ReleaseSaved() { _stat0 = null; _stat1 = null; }
    }

    private sealed class GroupNormNode(Tensor[] inputs, bool hasWeight, bool hasBias, float[] mean, float[] invstd, int groups, int spatial)
        : Node(inputs)
    {
        private float[]? _mean = mean, _invstd = invstd;

        public override Tensor?[] Backward(Tensor gradOutput)
        {
            var x = Inputs[0];
            Tensor? weight = hasWeight ? Inputs[1] : null;
            int n = x.Shape[0], c = x.Shape[1];
            Tensor? dx = NeedsGrad(0) ? Tensor.Empty(x.Shape) : null;
            Tensor? dw = hasWeight && NeedsGrad(1) ? Tensor.Zeros(c) : null;
            Tensor? db = hasBias && NeedsGrad(hasWeight ? 2 : 1) ? Tensor.Zeros(c) : null;
            GroupNormKernels.Backward(gradOutput.Data, x.Data, _mean, _invstd, Span(weight),
                dx is null ? default : dx.Data, dw is null ? default : dw.Data, db is null ? default : db.Data, n, c, spatial, 1, groups);
            return NormGrads([dx, dw, db], hasWeight, hasBias);
        }

        protected override void ReleaseSaved() { _mean = null; _invstd = null; }
    }
}
