using System.Runtime.InteropServices;
using Google.Protobuf;
using PoseKD.Inference.Onnx.Proto;

namespace PoseKD.Inference.Onnx;

/// <summary>
/// Builds one ONNX graph: named float/int64 initializers, nodes in the order they are added (which must
/// be topological), graph inputs and outputs with fixed or symbolic dimensions, and model metadata.
/// Value names are made unique with <see cref="Unique"/>; <see cref="Build"/> wraps the graph in a model.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The IR version PoseKD writes (ONNX 1.12 knows IR 8 and opsets up to 17).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName) => _graph = new GraphProto { Name = graphName };

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>Number of initializers added so far.</summary>
    public int InitializerCount => _graph.Initializer.Count;

    /// <summary>A value name not used yet: <paramref name="prefix"/> itself, else <c>prefix_1</c>, <c>prefix_2</c>, ….</summary>
    public string Unique(string prefix)
    {
        if (_names.Add(prefix)) return prefix;
        _counters.TryGetValue(prefix, out int n);
        string name;
        do name = $"{prefix}_{++n}"; while (!_names.Add(name));
        _counters[prefix] = n;
        return name;
    }

    /// <summary>Adds a float32 initializer (row-major <paramref name="data"/> of shape <paramref name="dims"/>); returns its unique name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        CheckCount(name, data.Length, dims);
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes); returns its unique name.</summary>
    public string AddInt64Initializer(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        CheckCount(name, data.Length, dims);
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        _graph.Initializer.Add(t);
        return t.Name;
    }

    private static void CheckCount(string name, int count, long[] dims)
    {
        long n = 1;
        foreach (var d in dims) n *= d;
        if (n != count) throw new ArgumentException($"initializer '{name}' has {count} values but shape [{string.Join(", ", dims)}] holds {n}");
    }

    /// <summary>
    /// Adds a node with one output named <paramref name="output"/> (made unique) or, when null, after the op;
    /// an empty input name marks an omitted optional input. Returns the output name.
    /// </summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        var outName = Unique(output ?? opType.ToLowerInvariant());
        var node = new NodeProto { OpType = opType, Name = Unique("node_" + outName) };
        foreach (var i in inputs)
        {
            if (i.Length > 0 && !_names.Contains(i))
                throw new ArgumentException($"node {opType}: input '{i}' is not a value of this graph");
            node.Input.Add(i);
        }
        node.Output.Add(outName);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outName;
    }

    /// <summary>
    /// Declares a float32 graph input; each dimension is a number or a symbolic name (e.g. "batch").
    /// The name is used as given and must be new.
    /// </summary>
    public string AddInput(string name, params object[] dims)
    {
        if (!_names.Add(name)) throw new ArgumentException($"graph input name '{name}' is already used");
        _graph.Input.Add(ValueInfo(name, dims));
        return name;
    }

    /// <summary>
    /// Declares <paramref name="value"/> as a graph output named <paramref name="name"/> (an Identity node
    /// gives it that name when the value is called otherwise); dims as for <see cref="AddInput"/>.
    /// </summary>
    public string AddOutput(string value, string name, params object[] dims)
    {
        if (!_names.Contains(value)) throw new ArgumentException($"graph output: '{value}' is not a value of this graph");
        if (value != name)
        {
            if (_names.Contains(name)) throw new ArgumentException($"graph output name '{name}' is already used");
            value = Node("Identity", [value], name);
        }
        _graph.Output.Add(ValueInfo(value, dims));
        return value;
    }

    private static ValueInfoProto ValueInfo(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                _ => throw new ArgumentException($"value '{name}': a dimension must be an int, a long or a symbolic name, got {d?.GetType().Name ?? "null"}"),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>Sets a metadata entry (<c>metadata_props</c>) of the model.</summary>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _metadata[key] = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The model: IR <see cref="IrVersion"/>, the default-domain opset <paramref name="opset"/>, metadata in key order.</summary>
    public ModelProto Build(int opset, string producerVersion)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "PoseKD",
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (k, v) in _metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    /// <summary>An INT attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A FLOAT attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A STRING attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
