using PoseKD.Engine.Nn;
using static PoseKD.Inference.Onnx.OnnxGraphBuilder;

namespace PoseKD.Inference.Onnx;

/// <summary>
/// Writes PoseKD engine modules into an <see cref="OnnxGraphBuilder"/> in inference mode: Conv2d (with the
/// BatchNorm2d that follows it inside a <see cref="Sequential"/> folded in), BatchNorm2d on its own,
/// LeakyReLU, ReLU, MaxPool2d, GroupNorm, Scale and Sequential. Composite modules whose forward pass is
/// not a chain (residual units, FPN, head) get an emitter registered with <see cref="Register{T}"/>.
/// Each <c>Emit</c> takes the name of the input value and returns the name of the output value.
/// </summary>
internal sealed class OnnxModuleEmitter
{
    /// <summary>Lowest opset the emitter writes (Resize with scales, Reshape with 0 = copy).</summary>
    public const int MinOpset = 13;
    /// <summary>Highest opset the emitter writes (18: GroupNormalization).</summary>
    public const int MaxOpset = 18;

    private readonly Dictionary<Type, Func<OnnxModuleEmitter, Module, string, string, string>> _custom = new();
    private readonly Dictionary<(object Owner, string Role), string> _initializers = new();

    public OnnxModuleEmitter(OnnxGraphBuilder graph, int opset)
    {
        if (opset < MinOpset || opset > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"PoseKD writes ONNX opsets {MinOpset}–{MaxOpset}");
        Graph = graph;
        Opset = opset;
    }

    /// <summary>The graph being written.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>The default-domain opset the nodes must conform to.</summary>
    public int Opset { get; }

    /// <summary>Registers how modules of exactly type <typeparamref name="T"/> are written: (emitter, module, input, scope) → output.</summary>
    public void Register<T>(Func<OnnxModuleEmitter, T, string, string, string> emit) where T : Module =>
        _custom[typeof(T)] = (e, m, x, s) => emit(e, (T)m, x, s);

    /// <summary>
    /// The initializer for (<paramref name="owner"/>, <paramref name="role"/>), written on first use: a module
    /// emitted twice (the head, shared across levels) reuses its weights instead of copying them.
    /// </summary>
    public string Initializer(object owner, string role, string name, Func<float[]> data, params long[] dims)
    {
        if (_initializers.TryGetValue((owner, role), out var existing)) return existing;
        var created = Graph.AddInitializer(name, data(), dims);
        _initializers[(owner, role)] = created;
        return created;
    }

    private string Int64Initializer(object owner, string role, string name, long[] data)
    {
        if (_initializers.TryGetValue((owner, role), out var existing)) return existing;
        var created = Graph.AddInt64Initializer(name, data, data.Length);
        _initializers[(owner, role)] = created;
        return created;
    }

    /// <summary>Writes <paramref name="module"/> applied to value <paramref name="input"/>; <paramref name="scope"/> is its state-dict path (names the values).</summary>
    public string Emit(Module module, string input, string scope)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (_custom.TryGetValue(module.GetType(), out var custom)) return custom(this, module, input, scope);
        return module switch
        {
            Sequential seq => EmitSequential(seq, input, scope),
            Conv2d conv => Conv(conv, null, input, scope),
            BatchNorm2d bn => BatchNorm(bn, input, scope),
            LeakyReLU lr => Graph.Node("LeakyRelu", [input], Name(scope, "leaky_relu"), Float("alpha", lr.NegativeSlope)),
            ReLU => Relu(input, scope),
            MaxPool2d mp => Graph.Node("MaxPool", [input], Name(scope, "max_pool"),
                Ints("kernel_shape", mp.KernelSize, mp.KernelSize), Ints("strides", mp.Stride, mp.Stride),
                Ints("pads", mp.Padding, mp.Padding, mp.Padding, mp.Padding)),
            GroupNorm gn => GroupNorm(gn, input, scope),
            Scale s => Graph.Node("Mul", [input, Initializer(s, "scale", Name(scope, "scale"), () => s.Value.Data, 1)], Name(scope, "mul")),
            _ => throw new NotSupportedException($"ONNX export: no emitter for module '{scope}' of type {module.GetType().FullName}"),
        };
    }

    private string EmitSequential(Sequential seq, string input, string scope)
    {
        var x = input;
        var names = seq.NamedChildren().Select(c => c.Name).ToArray();
        for (int i = 0; i < seq.Count; i++)
        {
            if (seq[i] is Conv2d conv && i + 1 < seq.Count && seq[i + 1] is BatchNorm2d bn)
            {
                x = Conv(conv, bn, x, Join(scope, names[i]));
                i++;
            }
            else x = Emit(seq[i], x, Join(scope, names[i]));
        }
        return x;
    }

    /// <summary>A Conv node for <paramref name="conv"/>, with <paramref name="bn"/> (when given) folded into its weight and bias.</summary>
    public string Conv(Conv2d conv, BatchNorm2d? bn, string input, string scope)
    {
        int k = conv.KernelSize, p = conv.Padding, o = conv.OutChannels;
        string wName, bName;
        if (bn is not null)
        {
            var folded = new Lazy<(float[] W, float[] B)>(() => BatchNormFolding.Fold(conv, bn));
            wName = Initializer(conv, "folded_weight", Name(scope, "weight"), () => folded.Value.W, o, conv.InChannels, k, k);
            bName = Initializer(conv, "folded_bias", Name(scope, "bias"), () => folded.Value.B, o);
        }
        else
        {
            wName = Initializer(conv, "weight", Name(scope, "weight"), () => conv.Weight.Data, o, conv.InChannels, k, k);
            bName = Initializer(conv, "bias", Name(scope, "bias"), () => conv.Bias?.Data ?? new float[o], o);
        }
        return Graph.Node("Conv", [input, wName, bName], Name(scope, "conv"),
            Ints("kernel_shape", k, k), Ints("strides", conv.Stride, conv.Stride), Ints("pads", p, p, p, p));
    }

    /// <summary>An inference-mode BatchNormalization node (running statistics).</summary>
    public string BatchNorm(BatchNorm2d bn, string input, string scope)
    {
        int c = bn.NumFeatures;
        return Graph.Node("BatchNormalization",
            [input, Initializer(bn, "weight", Name(scope, "weight"), () => bn.Weight.Data, c), Initializer(bn, "bias", Name(scope, "bias"), () => bn.Bias.Data, c),
             Initializer(bn, "running_mean", Name(scope, "running_mean"), () => bn.RunningMean.Data, c),
             Initializer(bn, "running_var", Name(scope, "running_var"), () => bn.RunningVar.Data, c)],
            Name(scope, "batch_norm"), Float("epsilon", bn.Eps));
    }

    /// <summary>
    /// GroupNorm: at opset 18 a GroupNormalization node (unit per-group scale, zero bias); below, the
    /// equivalent Reshape [N, G, −1] → InstanceNormalization → Reshape back. Then the per-channel γ, β.
    /// </summary>
    public string GroupNorm(GroupNorm gn, string input, string scope)
    {
        int g = gn.NumGroups, c = gn.NumChannels;
        var unit = Initializer(gn, "unit_scale", Name(scope, "unit_scale"), () => Enumerable.Repeat(1f, g).ToArray(), g);
        var zero = Initializer(gn, "zero_bias", Name(scope, "zero_bias"), () => new float[g], g);
        string normed;
        if (Opset >= 18)
        {
            normed = Graph.Node("GroupNormalization", [input, unit, zero], Name(scope, "group_norm"), Float("epsilon", gn.Eps), Int("num_groups", g));
        }
        else
        {
            var grouped = Graph.Node("Reshape", [input, Int64Initializer(gn, "group_shape", Name(scope, "group_shape"), [0, g, -1])], Name(scope, "grouped"));
            var inorm = Graph.Node("InstanceNormalization", [grouped, unit, zero], Name(scope, "instance_norm"), Float("epsilon", gn.Eps));
            var shape = Graph.Node("Shape", [input], Name(scope, "shape"));
            normed = Graph.Node("Reshape", [inorm, shape], Name(scope, "ungrouped"));
        }
        var scaled = Graph.Node("Mul", [normed, Initializer(gn, "weight", Name(scope, "weight"), () => gn.Weight.Data, c, 1, 1)], Name(scope, "gamma"));
        return Graph.Node("Add", [scaled, Initializer(gn, "bias", Name(scope, "bias"), () => gn.Bias.Data, c, 1, 1)], Name(scope, "beta"));
    }

    /// <summary>A Relu node.</summary>
    public string Relu(string input, string scope) => Graph.Node("Relu", [input], Name(scope, "relu"));

    /// <summary>An elementwise Add node.</summary>
    public string Add(string a, string b, string scope) => Graph.Node("Add", [a, b], Name(scope, "add"));

    /// <summary>Nearest-neighbour ×<paramref name="factor"/> upsampling (Resize, asymmetric coordinates, floor), like <c>F.UpsampleNearest</c>.</summary>
    public string UpsampleNearest(string input, int factor, string scope)
    {
        var scales = Initializer(typeof(OnnxModuleEmitter), $"upsample_scales_{factor}", $"upsample_scales_{factor}", () => [1f, 1f, factor, factor], 4);
        return Graph.Node("Resize", [input, "", scales], Name(scope, "upsample"),
            String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor"));
    }

    /// <summary>Joins a scope and a member name with a dot.</summary>
    public static string Join(string scope, string name) => scope.Length == 0 ? name : $"{scope}.{name}";

    private static string Name(string scope, string what) => scope.Length == 0 ? what : $"{scope}.{what}";
}
