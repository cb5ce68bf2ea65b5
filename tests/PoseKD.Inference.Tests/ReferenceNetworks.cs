using PoseKD.Engine.Nn;
using PoseKD.Engine.Serialization;
using PoseKD.Inference.Onnx;
using PoseKD.Model.Network;
using PoseKD.TestSupport;

namespace PoseKD.Inference.Tests;

/// <summary>
/// The networks of the golden fixtures <c>Fixtures/onnx/&lt;backbone&gt;.safetensors</c> (tools/golden/onnx_check.py):
/// N_CLASS 3, reference defaults otherwise, every parameter and BatchNorm statistic filled by the same formula
/// the script uses, plus the reference network's outputs on the formula input.
/// </summary>
internal sealed class ReferenceNetworks
{
    public const int NClass = 3;

    private ReferenceNetworks(PoseNet net, Dictionary<string, NamedArray> fixture, int levels)
    {
        Net = net; Fixture = fixture; Levels = levels;
    }

    public PoseNet Net { get; }
    public Dictionary<string, NamedArray> Fixture { get; }
    public int Levels { get; }
    public PoseKD.Engine.Tensors.Tensor Input => PoseKD.Engine.Tensors.Tensor.FromArray(Fixture["x"].Data, Fixture["x"].IntShape);
    public int InputRes => Fixture["x"].IntShape[^1];

    public static ReferenceNetworks Load(string backbone)
    {
        var fixture = SafeTensors.Read(Numeric.Fixture($"onnx/{backbone}.safetensors"), out var meta);
        var keys = meta["keys"].Split('\n');
        var allKeys = meta["all_keys"].Split('\n').ToList();
        var net = new PoseNet(PoseNetOptions.ForBackbone(backbone) with { NClass = NClass });
        var own = net.StateDict();
        var filled = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!own.TryGetValue(key, out var entry)) throw new InvalidOperationException($"PoseNet has no state-dict key '{key}' of the reference");
            filled[key] = NamedArray.FromFloats(Fill(key, allKeys.IndexOf(key), entry.IntShape), entry.Shape);
        }
        net.LoadStateDict(filled, strict: false);
        net.Eval();
        return new ReferenceNetworks(net, fixture, int.Parse(meta["levels"], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The script's <c>fill</c>: a float64 formula of (key, entry number k, element index i), rounded to float32.</summary>
    public static float[] Fill(string key, int k, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var v = new float[n];
        Func<int, double> rule;
        if (key.EndsWith("running_mean", StringComparison.Ordinal)) rule = i => 0.05 * Math.Sin(i + k);
        else if (key.EndsWith("running_var", StringComparison.Ordinal)) rule = i => 1.0 + 0.15 * (1.0 + Math.Sin(0.7 * i + k));
        else if (key.EndsWith(".scale", StringComparison.Ordinal)) rule = i => 1.0 + 0.1 * Math.Cos(i + k);
        else if (shape.Length == 4)
        {
            double amp = 1.5 / Math.Sqrt(shape[1] * shape[2] * shape[3]);
            rule = i => amp * Math.Sin(0.37 * i + 1.3 * k);
        }
        else if (key.EndsWith("weight", StringComparison.Ordinal)) rule = i => 1.0 + 0.2 * Math.Sin(0.91 * i + k);
        else if (key.EndsWith("bias", StringComparison.Ordinal)) rule = i => 0.1 * Math.Cos(0.53 * i + k);
        else throw new ArgumentException($"no fill rule for '{key}'");
        if (n < 100_000) for (int i = 0; i < n; i++) v[i] = (float)rule(i);
        else Parallel.For(0, (n + 65535) / 65536, c => { for (int i = c * 65536, e = Math.Min(n, i + 65536); i < e; i++) v[i] = (float)rule(i); });
        return v;
    }

    /// <summary>The reference output <paramref name="name"/> (full, or every 7th element when stored strided) and how to pick the same elements.</summary>
    public (float[] Values, int Stride, int[] Shape) Reference(string name)
    {
        var shape = Fixture[name + ".shape"].Int64Data!.Select(d => (int)d).ToArray();
        return Fixture.TryGetValue(name, out var full) ? (full.Data, 1, shape) : (Fixture[name + ".strided"].Data, 7, shape);
    }

    /// <summary>max |a − b| / max |a| (the relative error parity is judged by, as in the model's parity tests).</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length) throw new ArgumentException($"lengths {expected.Length} and {actual.Length} differ");
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - (double)actual[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
            maxDiff = Math.Max(maxDiff, d);
        }
        return maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
    }

    /// <summary>Every <paramref name="stride"/>-th element of <paramref name="data"/>.</summary>
    public static float[] Strided(float[] data, int stride) => stride == 1 ? data : data.Where((_, i) => i % stride == 0).ToArray();

    /// <summary>Metadata for exporting this network at the fixture's input size.</summary>
    public PoseModelMetadata Metadata() => new()
    {
        Backbone = Net.Options.Backbone, NClass = NClass, LevelStrides = Net.Options.LevelStrides,
        AnchorSizes = Net.Options.AnchorSizes, AnchorStrides = Net.Options.AnchorStrides, InputRes = InputRes,
    };
}
