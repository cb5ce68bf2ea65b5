using System.Text;
using System.Text.Json;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using PoseKD.TestSupport;
using Xunit.Sdk;

namespace PoseKD.Model.Tests.Network;

/// <summary>Helpers shared by the network tests: the golden fixtures of tools/golden/model_reference.py.</summary>
internal static class NetworkFixtures
{
    public static string TinyHWeights => Numeric.Fixture("network/tiny_h_weights.pth");

    public static Dictionary<string, NamedArray> Read(string name) => SafeTensors.Read(Numeric.Fixture($"network/{name}"));

    public static JsonElement Keys(string backbone)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Numeric.Fixture("network/keys.json")));
        return doc.RootElement.GetProperty(backbone).Clone();
    }

    public static Tensor ToTensor(NamedArray a) => Tensor.FromArray((float[])a.Data.Clone(), a.IntShape);

    /// <summary>max |a − e| / max |e| over one tensor (the scale-relative error used for parity).</summary>
    public static double MaxRelError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length) throw new XunitException($"length {actual.Length}, expected {expected.Length}");
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
            double d = Math.Abs(expected[i] - (double)actual[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            maxDiff = Math.Max(maxDiff, d);
        }
        return maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
    }

    /// <summary>Compares every level of <paramref name="output"/> with the fixture's <c>{prefix}.{feat,cls,reg}.{k}</c>; returns the worst relative error.</summary>
    public static double AssertOutputs(Dictionary<string, NamedArray> fx, string prefix, PoseNetOutput output, double tol)
    {
        double worst = 0;
        foreach (var (name, maps) in new[] { ("feat", output.Features), ("cls", output.ClsLogits), ("reg", output.PoseReg) })
        {
            for (int k = 0; k < maps.Count; k++)
            {
                var e = fx[$"{prefix}.{name}.{k}"];
                Assert.Equal(e.IntShape, maps[k].Shape);
                double rel = MaxRelError(e.Data, maps[k].Data);
                if (rel > tol) throw new XunitException($"{prefix}.{name}.{k}: max relative error {rel:E3} > {tol:E1}");
                worst = Math.Max(worst, rel);
            }
        }
        Assert.False(fx.ContainsKey($"{prefix}.feat.{output.Features.Count}"), "the fixture has more levels than the network");
        return worst;
    }

    /// <summary>r(i) = ((i·7919) mod 1000)/1000 − 0.5, the fixture's fixed weights of the gradient objective.</summary>
    public static Tensor RWeights(int n, int offset)
    {
        var d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float)((((long)(i + offset) * 7919) % 1000) / 1000.0 - 0.5);
        return Tensor.FromArray(d, n);
    }

    /// <summary>The fixture's gradient objective Σ r·cls + Σ r·reg + Σ r·feat (offsets 0, 7, 3).</summary>
    public static Tensor Objective(PoseNetOutput o)
    {
        Tensor? total = null;
        for (int k = 0; k < o.Features.Count; k++)
        {
            foreach (var (t, off) in new[] { (o.ClsLogits[k], 0), (o.PoseReg[k], 7), (o.Features[k], 3) })
            {
                var term = (t.Reshape(t.Numel) * RWeights(t.Numel, off)).Sum();
                total = total is null ? term : total + term;
            }
        }
        return total!;
    }

    /// <summary>Sets every float state entry of <paramref name="net"/> from the fixture's fill(key, i) rule (see the golden script).</summary>
    public static void Fill(PoseNet net)
    {
        var owners = net.NamedModules().ToDictionary(m => m.Name, m => m.Module, StringComparer.Ordinal);
        var slots = net.NamedParameters().Select(p => (p.Name, p.Parameter))
            .Concat(net.NamedBuffers().Where(b => b.Buffer is Tensor).Select(b => (b.Name, (Tensor)b.Buffer)));
        foreach (var (key, t) in slots)
        {
            if (key.StartsWith("anchor_generator.", StringComparison.Ordinal)) continue;
            int dot = key.LastIndexOf('.');
            var owner = owners[key[..dot]];
            string leaf = key[(dot + 1)..];
            int h = Encoding.UTF8.GetBytes(key).Sum(b => (int)b) * 31 % 1000;
            double scale = 1, shift = 0;
            switch (owner)
            {
                case Conv2d or ClassifierLinear when leaf == "weight": scale = Math.Sqrt(3.0 / (t.Numel / t.Shape[0])); break;
                case Conv2d or ClassifierLinear: scale = 0.05; break;
                case BatchNorm2d:
                    (scale, shift) = leaf switch { "weight" => (0.2, 1.0), "bias" => (0.1, 0.0), "running_mean" => (0.1, 0.0), "running_var" => (0.25, 1.25), _ => throw new XunitException(key) };
                    break;
                case GroupNorm: (scale, shift) = leaf == "weight" ? (0.2, 1.0) : (0.1, 0.0); break;
                case Scale: (scale, shift) = (0.2, 1.0); break;
                default: throw new XunitException($"no fill rule for {key} ({owner.GetType().Name})");
            }
            var d = t.Data;
            for (int i = 0; i < d.Length; i++)
            {
                double v = (((long)i * 7919 + h) % 2001) / 1000.0 - 1.0;
                d[i] = (float)(shift + scale * v);
            }
        }
    }
}
