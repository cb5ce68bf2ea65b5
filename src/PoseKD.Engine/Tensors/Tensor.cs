using PoseKD.Engine.Autograd;
using PoseKD.Engine.Functional;

namespace PoseKD.Engine.Tensors;

/// <summary>
/// An n-dimensional float32 array, contiguous and row-major (the last dimension varies fastest), that can
/// take part in reverse-mode automatic differentiation.
/// <para><see cref="Data"/> is exactly <see cref="Numel"/> long and may be shared with other tensors
/// (<see cref="Reshape"/>, <see cref="Detach"/>, <see cref="FromArray"/> do not copy). Writing into the data
/// of a tensor that an autograd graph has saved makes that graph's gradients wrong: mutate only leaves
/// (parameters) outside a forward/backward pass.</para>
/// <para>Autograd: a tensor produced by an op while <see cref="GradMode.IsEnabled"/> and some input
/// <see cref="RequiresGrad"/> carries that op's <see cref="GradFn"/>. <see cref="Backward"/> sums ∂L/∂t into
/// <see cref="Grad"/> of every leaf (no GradFn) with RequiresGrad. See docs/engine.md.</para>
/// </summary>
public sealed class Tensor
{
    private bool _requiresGrad;

    private Tensor(float[] data, int[] shape)
    {
        Data = data;
        Shape = shape;
    }

    /// <summary>The elements, row-major; exactly <see cref="Numel"/> long.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions (empty for a scalar). Do not modify the array.</summary>
    public int[] Shape { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements (Π Shape; 1 for a scalar).</summary>
    public int Numel => Data.Length;

    /// <summary>The node of the op that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>True for tensors not produced by a recorded op (inputs, parameters).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs you differentiate by);
    /// outputs of recorded ops always require grad and cannot be switched off (use <see cref="Detach"/>).
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!value && GradFn is not null)
                throw new InvalidOperationException("RequiresGrad cannot be cleared on a non-leaf tensor (it was produced by a recorded op); use Detach()");
            _requiresGrad = value;
        }
    }

    /// <summary>Accumulated ∂L/∂this (same shape), filled by <see cref="Backward"/> for leaves that require grad.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => Shape[Shapes.NormalizeDim(dim, Rank)];

    /// <summary>The elements as a span.</summary>
    public Span<float> AsSpan() => Data;

    /// <summary>
    /// Marks this tensor as the output of <paramref name="node"/> (sets <see cref="GradFn"/> and
    /// <see cref="RequiresGrad"/>). Call only on a freshly created op output, and only when
    /// <see cref="GradMode.ShouldRecord(ReadOnlySpan{Tensor})"/> is true for the op's inputs.
    /// </summary>
    public Tensor SetGradFn(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (GradFn is not null) throw new InvalidOperationException("this tensor already has a grad function");
        GradFn = node;
        _requiresGrad = true;
        return this;
    }

    /// <summary>
    /// Back-propagates from this tensor: accumulates ∂(seed·this)/∂leaf into the <see cref="Grad"/> of every
    /// leaf that requires grad. Without <paramref name="seed"/> this must hold one element (seed = 1).
    /// Frees the graph's saved buffers unless <paramref name="retainGraph"/>; a second backward through a
    /// freed graph throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public void Backward(Tensor? seed = null, bool retainGraph = false) => BackwardEngine.Run(this, seed, retainGraph);

    /// <summary>Clears the accumulated gradient (sets <see cref="Grad"/> to null).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>A tensor sharing this one's data, cut off from the graph (no GradFn, RequiresGrad false).</summary>
    public Tensor Detach() => new(Data, Shape);

    /// <summary>The single element of a one-element tensor.</summary>
    public float Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, this one has shape {Shapes.Format(Shape)}");
        return Data[0];
    }

    /// <summary>Same data viewed with another shape (one dimension may be −1); differentiable. See <see cref="F.Reshape"/>.</summary>
    public Tensor Reshape(params int[] shape) => F.Reshape(this, shape);

    /// <summary>A copy with its own data; differentiable (gradient passes through unchanged).</summary>
    public Tensor Clone() => F.Clone(this);

    /// <summary>Materialising transpose of two dimensions; differentiable.</summary>
    public Tensor Transpose(int dim0, int dim1) => F.Transpose(this, dim0, dim1);

    /// <summary>Materialising permutation of the dimensions; differentiable.</summary>
    public Tensor Permute(params int[] dims) => F.Permute(this, dims);

    /// <summary>Sum over <paramref name="dims"/> (null = all); differentiable.</summary>
    public Tensor Sum(int[]? dims = null, bool keepDim = false) => F.Sum(this, dims, keepDim);

    /// <summary>Mean over <paramref name="dims"/> (null = all); differentiable.</summary>
    public Tensor Mean(int[]? dims = null, bool keepDim = false) => F.Mean(this, dims, keepDim);

    /// <summary>Copies the elements into a new array.</summary>
    public float[] ToArray() => (float[])Data.Clone();

    /// <inheritdoc/>
    public override string ToString() =>
        $"Tensor{Shapes.Format(Shape)}" + (GradFn is not null ? $" grad_fn={GradFn.Name}" : RequiresGrad ? " requires_grad" : "") +
        (Numel <= 8 ? " {" + string.Join(", ", Data.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + "}" : "");

    // ---- creation ----

    /// <summary>Wraps <paramref name="data"/> (no copy) as a tensor of <paramref name="shape"/>; lengths must match.</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        int n = Shapes.Numel(shape);
        if (data.Length != n)
            throw new ArgumentException($"data has {data.Length} elements but shape {Shapes.Format(shape)} needs {n}");
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(params int[] shape) => new(BufferArena.Allocate(Shapes.Numel(shape)), (int[])shape.Clone());

    /// <summary>
    /// A tensor whose contents are unspecified (NaN under <see cref="BufferArena.PoisonOnReset"/>): for op outputs the
    /// kernel overwrites entirely, so the buffer need not be zeroed first.
    /// </summary>
    public static Tensor Empty(params int[] shape) => new(BufferArena.AllocateUninitialized(Shapes.Numel(shape)), (int[])shape.Clone());

    /// <summary>A one-filled tensor.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        if (value != 0f) Array.Fill(t.Data, value);
        return t;
    }

    /// <summary>Zeros of the same shape as <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape);

    /// <summary>Ones of the same shape as <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ones(like.Shape);

    /// <summary>A scalar (shape []) tensor.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>[0, 1, …, n−1] as a 1-D tensor.</summary>
    public static Tensor Arange(int n) => Arange(0f, n, 1f);

    /// <summary>
    /// start, start+step, … while &lt; end (&gt; end for negative step) as a 1-D tensor of ⌈(end−start)/step⌉
    /// elements; element i = start + i·step (computed in double, like PyTorch).
    /// </summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0f || float.IsNaN(step)) throw new ArgumentException("arange step must be non-zero");
        long count = (long)Math.Ceiling(((double)end - start) / step);
        if (count < 0) throw new ArgumentException($"arange: end {end} is not reachable from start {start} with step {step}");
        var d = new float[count];
        for (int i = 0; i < count; i++) d[i] = (float)(start + (double)i * step);
        return new Tensor(d, [(int)count]);
    }

    /// <summary>Uniform samples in [0, 1) from <paramref name="generator"/> (row-major order).</summary>
    public static Tensor Rand(Generator generator, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var t = Zeros(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = generator.NextFloat();
        return t;
    }

    /// <summary>Standard normal samples from <paramref name="generator"/> (row-major order).</summary>
    public static Tensor Randn(Generator generator, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var t = Zeros(shape);
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] = generator.NextNormal();
        return t;
    }

    // ---- operators (all differentiable, broadcasting) ----

    /// <summary>Broadcasting a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => F.Add(a, b);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => F.Add(a, s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => F.Add(a, s);
    /// <summary>Broadcasting a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => F.Sub(a, b);
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => F.Sub(a, s);
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => F.Add(F.Neg(a), s);
    /// <summary>Broadcasting a · b (element-wise).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => F.Mul(a, b);
    /// <summary>a · s.</summary>
    public static Tensor operator *(Tensor a, float s) => F.Mul(a, s);
    /// <summary>s · a.</summary>
    public static Tensor operator *(float s, Tensor a) => F.Mul(a, s);
    /// <summary>Broadcasting a / b (element-wise).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => F.Div(a, b);
    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, float s) => F.Div(a, s);
    /// <summary>s / a.</summary>
    public static Tensor operator /(float s, Tensor a) => F.Mul(F.Pow(a, -1f), s);
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => F.Neg(a);
}
