using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

/// <summary>
/// Differentiable tensor functions (PyTorch's <c>torch.*</c> / <c>torch.nn.functional</c> subset). Every
/// function checks its arguments, runs span kernels from <c>PoseKD.Engine.Kernels</c>, and records an
/// autograd node on its output when <see cref="GradMode.ShouldRecord(ReadOnlySpan{Tensor})"/>. The class is
/// partial: each op group lives in its own file (F.Elementwise.cs, F.Reduce.cs, F.Shape.cs, …).
/// </summary>
public static partial class F
{
    private enum BinaryKind { Add, Sub, Mul, Div, Minimum, Maximum }

    /// <summary>Broadcasting a + b.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary<AddOp>(a, b, BinaryKind.Add);

    /// <summary>Broadcasting a − b.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary<SubOp>(a, b, BinaryKind.Sub);

    /// <summary>Broadcasting element-wise a · b.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary<MulOp>(a, b, BinaryKind.Mul);

    /// <summary>Broadcasting element-wise a / b. ∂/∂b = −g·(a/b)/b.</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary<DivOp>(a, b, BinaryKind.Div);

    /// <summary>
    /// Broadcasting element-wise min(a, b) (NaN propagates). Gradient as torch.minimum: to the smaller
    /// operand, split g/2 each at ties.
    /// </summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary<MinOp>(a, b, BinaryKind.Minimum);

    /// <summary>
    /// Broadcasting element-wise max(a, b) (NaN propagates). Gradient as torch.maximum: to the larger
    /// operand, split g/2 each at ties.
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary<MaxOp>(a, b, BinaryKind.Maximum);

    /// <summary>a + s.</summary>
    public static Tensor Add(Tensor a, float s) => ScalarOp(a, s, ScalarKind.Add);

    /// <summary>a − s.</summary>
    public static Tensor Sub(Tensor a, float s) => ScalarOp(a, s, ScalarKind.Sub);

    /// <summary>a · s.</summary>
    public static Tensor Mul(Tensor a, float s) => ScalarOp(a, s, ScalarKind.Mul);

    /// <summary>a / s (true division, like PyTorch).</summary>
    public static Tensor Div(Tensor a, float s) => ScalarOp(a, s, ScalarKind.Div);

    /// <summary>−x.</summary>
    public static Tensor Neg(Tensor x) => Unary(x, UnaryKind.Neg, 0f);

    /// <summary>eˣ; ∂ = g·y.</summary>
    public static Tensor Exp(Tensor x) => Unary(x, UnaryKind.Exp, 0f);

    /// <summary>ln x; ∂ = g/x.</summary>
    public static Tensor Log(Tensor x) => Unary(x, UnaryKind.Log, 0f);

    /// <summary>√x; ∂ = g/(2y) (∞ at 0).</summary>
    public static Tensor Sqrt(Tensor x) => Unary(x, UnaryKind.Sqrt, 0f);

    /// <summary>|x|; ∂ = sign(x)·g with sign(0) = 0.</summary>
    public static Tensor Abs(Tensor x) => Unary(x, UnaryKind.Abs, 0f);

    /// <summary>σ(x) = 1/(1+e⁻ˣ); ∂ = g·y(1−y).</summary>
    public static Tensor Sigmoid(Tensor x) => Unary(x, UnaryKind.Sigmoid, 0f);

    /// <summary>max(x, 0); ∂ = g where y &gt; 0 (0 at x = 0).</summary>
    public static Tensor Relu(Tensor x) => Unary(x, UnaryKind.Relu, 0f);

    /// <summary>x if x &gt; 0 else slope·x; ∂ = g if x &gt; 0 else slope·g.</summary>
    public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.01f) => Unary(x, UnaryKind.LeakyRelu, negativeSlope);

    /// <summary>xᵖ for a scalar exponent; ∂ = g·p·xᵖ⁻¹ (0 when p = 0).</summary>
    public static Tensor Pow(Tensor x, float exponent) => Unary(x, UnaryKind.Pow, exponent);

    /// <summary>
    /// min(max(x, min), max) with either bound optional; ∂ = g where min ≤ x ≤ max (1 at the bounds, like
    /// PyTorch), 0 outside.
    /// </summary>
    public static Tensor Clamp(Tensor x, float? min = null, float? max = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (min is null && max is null) throw new ArgumentException("Clamp needs at least one of min and max");
        float lo = min ?? float.NegativeInfinity, hi = max ?? float.PositiveInfinity;
        var y = Tensor.Zeros(x.Shape);
        Elementwise.Clamp(x.Data, lo, hi, y.Data);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new ClampNode(x, lo, hi));
        return y;
    }

    /// <summary>
    /// Broadcasting select: out = cond ≠ 0 ? a : b (cond is a 0/1 mask tensor, e.g. from <see cref="Gt(Tensor, Tensor)"/>).
    /// Gradients flow to a where cond holds and to b elsewhere; cond gets none.
    /// </summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(cond); ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var shape = Shapes.Broadcast(Shapes.Broadcast(cond.Shape, a.Shape), b.Shape);
        var y = Tensor.Zeros(shape);
        Broadcast.Where(cond.Data, cond.Shape, a.Data, a.Shape, b.Data, b.Shape, y.Data, shape);
        if (GradMode.ShouldRecord(a, b)) y.SetGradFn(new WhereNode(cond, a, b));
        return y;
    }

    /// <summary>1 where a &gt; b else 0 (broadcasting; not differentiable).</summary>
    public static Tensor Gt(Tensor a, Tensor b) => Compare(a, b, static (x, y) => x > y);
    /// <summary>1 where a ≥ b else 0 (broadcasting; not differentiable).</summary>
    public static Tensor Ge(Tensor a, Tensor b) => Compare(a, b, static (x, y) => x >= y);
    /// <summary>1 where a &lt; b else 0 (broadcasting; not differentiable).</summary>
    public static Tensor Lt(Tensor a, Tensor b) => Compare(a, b, static (x, y) => x < y);
    /// <summary>1 where a ≤ b else 0 (broadcasting; not differentiable).</summary>
    public static Tensor Le(Tensor a, Tensor b) => Compare(a, b, static (x, y) => x <= y);
    /// <summary>1 where a = b else 0 (broadcasting; not differentiable).</summary>
    public static Tensor Eq(Tensor a, Tensor b) => Compare(a, b, static (x, y) => x == y);
    /// <summary>1 where x &gt; s else 0 (not differentiable).</summary>
    public static Tensor Gt(Tensor x, float s) => Compare(x, Tensor.Scalar(s), static (p, q) => p > q);
    /// <summary>1 where x &lt; s else 0 (not differentiable).</summary>
    public static Tensor Lt(Tensor x, float s) => Compare(x, Tensor.Scalar(s), static (p, q) => p < q);

    /// <summary>Materialises x broadcast to <paramref name="shape"/>; the gradient is summed back to x's shape.</summary>
    public static Tensor BroadcastTo(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var full = Shapes.Broadcast(x.Shape, shape);
        if (!Shapes.Equal(full, shape)) throw new ArgumentException($"shape {Shapes.Format(x.Shape)} cannot be broadcast to {Shapes.Format(shape)}");
        var y = Tensor.FromArray(Expand(x.Data, x.Shape, shape), shape);
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new SumToNode(x));
        return y;
    }

    /// <summary>Sums <paramref name="g"/> over the dimensions that were broadcast from <paramref name="shape"/> (the adjoint of broadcasting).</summary>
    public static Tensor SumTo(Tensor g, int[] shape)
    {
        if (Shapes.Equal(g.Shape, shape)) return g;
        int lead = g.Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"cannot sum shape {Shapes.Format(g.Shape)} to the larger rank shape {Shapes.Format(shape)}");
        var dims = new List<int>();
        for (int i = 0; i < g.Rank; i++)
        {
            if (i < lead) { dims.Add(i); continue; }
            int s = shape[i - lead];
            if (s == 1 && g.Shape[i] != 1) dims.Add(i);
            else if (s != g.Shape[i]) throw new ArgumentException($"cannot sum shape {Shapes.Format(g.Shape)} to {Shapes.Format(shape)}");
        }
        if (dims.Count == 0) return Reshape(g, shape);
        return Reshape(Sum(g, dims.ToArray(), keepDim: true), shape);
    }

    // ---- implementation ----

    internal static float[] Expand(float[] x, int[] xShape, int[] shape)
    {
        var d = BufferArena.Allocate(Shapes.Numel(shape));
        if (d.Length == 0) return d;
        if (Shapes.Equal(xShape, shape)) { x.AsSpan().CopyTo(d); return d; }
        var plan = new BroadcastPlan(xShape, shape);
        Parallelism.For(plan.Outer, plan.Inner, (s, e) => Broadcast.Binary<CopyLeftOp>(x, d, d, plan, s, e));
        return d;
    }

    private static Tensor Binary<TOp>(Tensor a, Tensor b, BinaryKind kind) where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var y = Tensor.FromArray(BinaryData<TOp>(a, b, out var shape), shape);
        if (GradMode.ShouldRecord(a, b)) y.SetGradFn(new BinaryNode(a, b, kind));
        return y;
    }

    private static float[] BinaryData<TOp>(Tensor a, Tensor b, out int[] shape) where TOp : IBinaryOp
    {
        float[] ad = a.Data, bd = b.Data;
        if (Shapes.Equal(a.Shape, b.Shape))
        {
            shape = a.Shape;
            var d = BufferArena.Allocate(ad.Length);
            Parallelism.For(d.Length, 1, (s, e) => TOp.Apply(ad.AsSpan(s, e - s), bd.AsSpan(s, e - s), d.AsSpan(s, e - s)));
            return d;
        }
        shape = Shapes.Broadcast(a.Shape, b.Shape);
        var r = BufferArena.Allocate(Shapes.Numel(shape));
        if (r.Length == 0) return r;
        if (bd.Length == 1 && r.Length == ad.Length)
        {
            float s0 = bd[0];
            Parallelism.For(r.Length, 1, (s, e) => TOp.Apply(ad.AsSpan(s, e - s), s0, r.AsSpan(s, e - s)));
            return r;
        }
        if (ad.Length == 1 && r.Length == bd.Length)
        {
            float s0 = ad[0];
            Parallelism.For(r.Length, 1, (s, e) => TOp.Apply(s0, bd.AsSpan(s, e - s), r.AsSpan(s, e - s)));
            return r;
        }
        var plan = new BroadcastPlan(a.Shape, b.Shape);
        Parallelism.For(plan.Outer, plan.Inner, (s, e) => Broadcast.Binary<TOp>(ad, bd, r, plan, s, e));
        return r;
    }

    private static Tensor Compare(Tensor a, Tensor b, Func<float, float, bool> pred)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        var shape = Shapes.Broadcast(a.Shape, b.Shape);
        float[] ea = Expand(a.Data, a.Shape, shape), eb = Expand(b.Data, b.Shape, shape);
        var d = BufferArena.Allocate(ea.Length);
        for (int i = 0; i < d.Length; i++) d[i] = pred(ea[i], eb[i]) ? 1f : 0f;
        return Tensor.FromArray(d, shape);
    }

    private sealed class BinaryNode(Tensor a, Tensor b, BinaryKind kind) : Node(a, b)
    {
        public override string Name => kind + "Backward";

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor a = Inputs[0], b = Inputs[1];
            Tensor? ga = null, gb = null;
            switch (kind)
            {
                case BinaryKind.Add:
                    if (NeedsGrad(0)) ga = SumTo(g, a.Shape);
                    if (NeedsGrad(1)) gb = SumTo(g, b.Shape);
                    break;
                case BinaryKind.Sub:
                    if (NeedsGrad(0)) ga = SumTo(g, a.Shape);
                    if (NeedsGrad(1)) gb = SumTo(Neg(g), b.Shape);
                    break;
                case BinaryKind.Mul:
                    if (NeedsGrad(0)) ga = SumTo(Mul(g, b), a.Shape);
                    if (NeedsGrad(1)) gb = SumTo(Mul(g, a), b.Shape);
                    break;
                case BinaryKind.Div:
                    if (NeedsGrad(0)) ga = SumTo(Div(g, b), a.Shape);
                    if (NeedsGrad(1)) gb = SumTo(Neg(Mul(g, Div(Div(a, b), b))), b.Shape);
                    break;
                default:
                    {
                        // torch.minimum/maximum: the selected operand gets g, ties split g/2 each.
                        var shape = g.Shape;
                        float[] ea = Expand(a.Data, a.Shape, shape), eb = Expand(b.Data, b.Shape, shape);
                        float[] da = BufferArena.Allocate(g.Numel), db = BufferArena.Allocate(g.Numel);
                        bool max = kind == BinaryKind.Maximum;
                        for (int i = 0; i < da.Length; i++)
                        {
                            float x = ea[i], y = eb[i], gi = g.Data[i];
                            if (x == y) { da[i] = gi / 2; db[i] = gi / 2; }
                            else if ((x > y) == max) da[i] = gi;
                            else db[i] = gi;
                        }
                        if (NeedsGrad(0)) ga = SumTo(Tensor.FromArray(da, shape), a.Shape);
                        if (NeedsGrad(1)) gb = SumTo(Tensor.FromArray(db, shape), b.Shape);
                        break;
                    }
            }
            return [ga, gb];
        }
    }

    private enum ScalarKind { Add, Sub, Mul, Div }

    private static Tensor ScalarOp(Tensor a, float s, ScalarKind kind)
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Tensor.Zeros(a.Shape);
        float[] ad = a.Data, yd = y.Data;
        Parallelism.For(yd.Length, 1, (st, e) =>
        {
            ReadOnlySpan<float> x = ad.AsSpan(st, e - st);
            Span<float> d = yd.AsSpan(st, e - st);
            switch (kind)
            {
                case ScalarKind.Add: AddOp.Apply(x, s, d); break;
                case ScalarKind.Sub: SubOp.Apply(x, s, d); break;
                case ScalarKind.Mul: MulOp.Apply(x, s, d); break;
                default: DivOp.Apply(x, s, d); break;
            }
        });
        if (GradMode.ShouldRecord(a)) y.SetGradFn(new ScalarNode(a, s, kind));
        return y;
    }

    private sealed class ScalarNode(Tensor a, float s, ScalarKind kind) : Node(a)
    {
        public override string Name => kind + "ScalarBackward";

        public override Tensor?[] Backward(Tensor g) => kind switch
        {
            ScalarKind.Mul => [Mul(g, s)],
            ScalarKind.Div => [Div(g, s)],
            _ => [g],
        };
    }

    private enum UnaryKind { Neg, Exp, Log, Sqrt, Abs, Sigmoid, Relu, LeakyRelu, Pow }

    private static Tensor Unary(Tensor x, UnaryKind kind, float p)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Zeros(x.Shape);
        float[] xd = x.Data, yd = y.Data;
        Parallelism.For(yd.Length, 4, (s, e) =>
        {
            ReadOnlySpan<float> xs = xd.AsSpan(s, e - s);
            Span<float> d = yd.AsSpan(s, e - s);
            switch (kind)
            {
                case UnaryKind.Neg: Elementwise.Neg(xs, d); break;
                case UnaryKind.Exp: Elementwise.Exp(xs, d); break;
                case UnaryKind.Log: Elementwise.Log(xs, d); break;
                case UnaryKind.Sqrt: Elementwise.Sqrt(xs, d); break;
                case UnaryKind.Abs: Elementwise.Abs(xs, d); break;
                case UnaryKind.Sigmoid: Elementwise.Sigmoid(xs, d); break;
                case UnaryKind.Relu: Elementwise.Relu(xs, d); break;
                case UnaryKind.LeakyRelu: Elementwise.LeakyRelu(xs, p, d); break;
                default: Elementwise.Pow(xs, p, d); break;
            }
        });
        if (GradMode.ShouldRecord(x)) y.SetGradFn(new UnaryNode(x, y, kind, p));
        return y;
    }

    private sealed class UnaryNode(Tensor x, Tensor y, UnaryKind kind, float p) : Node(x)
    {
        private Tensor? _y = kind is UnaryKind.Exp or UnaryKind.Sqrt or UnaryKind.Sigmoid or UnaryKind.Relu ? y : null;

        public override string Name => kind + "Backward";

        protected override void ReleaseSaved() => _y = null;

        public override Tensor?[] Backward(Tensor g)
        {
            var x = Inputs[0];
            if (kind == UnaryKind.Neg) return [Neg(g)];
            if (kind == UnaryKind.Exp) return [Mul(g, _y!)];
            if (kind == UnaryKind.Log) return [Div(g, x)];
            var dx = Tensor.Zeros(x.Shape);
            float[] xd = x.Data, gd = g.Data, dd = dx.Data, yd = _y?.Data ?? [];
            Parallelism.For(dd.Length, 2, (s, e) =>
            {
                ReadOnlySpan<float> gs = gd.AsSpan(s, e - s);
                Span<float> d = dd.AsSpan(s, e - s);
                switch (kind)
                {
                    case UnaryKind.Sqrt: Elementwise.SqrtBackward(yd.AsSpan(s, e - s), gs, d); break;
                    case UnaryKind.Abs: Elementwise.AbsBackward(xd.AsSpan(s, e - s), gs, d); break;
                    case UnaryKind.Sigmoid: Elementwise.SigmoidBackward(yd.AsSpan(s, e - s), gs, d); break;
                    case UnaryKind.Relu: Elementwise.ReluBackward(yd.AsSpan(s, e - s), gs, d); break;
                    case UnaryKind.LeakyRelu: Elementwise.LeakyReluBackward(xd.AsSpan(s, e - s), gs, p, d); break;
                    default: Elementwise.PowBackward(xd.AsSpan(s, e - s), gs, p, d); break;
                }
            });
            return [dx];
        }
    }

    private sealed class ClampNode(Tensor x, float min, float max) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var dx = Tensor.Zeros(g.Shape);
            Elementwise.ClampBackward(Inputs[0].Data, g.Data, min, max, dx.Data);
            return [dx];
        }
    }

    private sealed class WhereNode(Tensor cond, Tensor a, Tensor b) : Node(a, b)
    {
        private Tensor? _cond = cond;

        protected override void ReleaseSaved() => _cond = null;

        public override Tensor?[] Backward(Tensor g)
        {
            var zero = Tensor.Scalar(0f);
            Tensor? ga = NeedsGrad(0) ? SumTo(Where(_cond!, g, zero), Inputs[0].Shape) : null;
            Tensor? gb = NeedsGrad(1) ? SumTo(Where(_cond!, zero, g), Inputs[1].Shape) : null;
            return [ga, gb];
        }
    }

    private sealed class SumToNode(Tensor x) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [SumTo(g, Inputs[0].Shape)];
    }
}
