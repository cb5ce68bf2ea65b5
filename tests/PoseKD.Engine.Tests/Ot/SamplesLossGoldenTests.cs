using System.Text.Json;
using PoseKD.Engine.Ot;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;
using Xunit.Abstractions;

namespace PoseKD.Engine.Tests.Ot;

/// <summary>
/// Agreement with geomloss 0.2.4 (tools/golden/geomloss_sinkhorn.py, float64 evaluation of float32 inputs):
/// values ≤ 1e-5 relative, gradients with respect to positions and weights ≤ 1e-4 relative.
/// </summary>
public sealed class SamplesLossGoldenTests(ITestOutputHelper output)
{
    private static readonly Lazy<(Dictionary<string, NamedArray> Arrays, Dictionary<string, string> Meta)> Fixture = new(() =>
    {
        var arrays = SafeTensors.Read(Numeric.Fixture("ot/geomloss_sinkhorn.safetensors"), out var meta);
        return (arrays, meta);
    });

    /// <summary>Every case name in the fixture.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixture.Value.Meta.Keys.Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    private static Tensor Load(string key, bool grad = false)
    {
        var a = Fixture.Value.Arrays[key];
        var t = Tensor.FromArray((float[])a.Data.Clone(), a.Shape.Select(s => (int)s).ToArray());
        t.RequiresGrad = grad;
        return t;
    }

    internal static SamplesLossOptions ParseOptions(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var kind = r.GetProperty("loss").GetString() switch
        {
            "sinkhorn" => SamplesLossKind.Sinkhorn,
            "gaussian" => SamplesLossKind.Gaussian,
            "laplacian" => SamplesLossKind.Laplacian,
            "energy" => SamplesLossKind.Energy,
            var s => throw new InvalidDataException($"unknown loss {s}"),
        };
        var reach = r.GetProperty("reach");
        return new SamplesLossOptions
        {
            Kind = kind,
            P = r.GetProperty("p").GetInt32(),
            Blur = r.GetProperty("blur").GetDouble(),
            Reach = reach.ValueKind == JsonValueKind.Null ? null : reach.GetDouble(),
            Scaling = r.GetProperty("scaling").GetDouble(),
            Debias = r.GetProperty("debias").GetBoolean(),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_GeomlossCase_MatchesValuesAndGradients(string name)
    {
        var options = ParseOptions(Fixture.Value.Meta[name]);
        var a = Load($"{name}.a", true);
        var x = Load($"{name}.x", true);
        var b = Load($"{name}.b", true);
        var y = Load($"{name}.y", true);
        var outExpected = Load($"{name}.out");
        var loss = SamplesLoss.Compute(a, x, b, y, options);
        double scale = outExpected.Data.Max(v => Math.Abs(v));
        Numeric.AssertClose(outExpected.Data, loss.Data, atol: 1e-6 + 1e-6 * scale, rtol: 1e-5, what: $"{name} values");
        output.WriteLine($"{name}: value max |Δ|/scale = {MaxRel(outExpected.Data, loss.Data):E2}");

        loss.Backward(Load($"{name}.gout"));
        foreach (var (t, key) in new[] { (a, "ga"), (x, "gx"), (b, "gb"), (y, "gy") })
        {
            var expected = Load($"{name}.{key}");
            double gScale = expected.Data.Max(v => Math.Abs(v));
            Assert.NotNull(t.Grad);
            Numeric.AssertClose(expected.Data, t.Grad!.Data, atol: 1e-6 + 1e-5 * gScale, rtol: 1e-4, what: $"{name} {key}");
            output.WriteLine($"{name}: {key} max |Δ|/scale = {MaxRel(expected.Data, t.Grad.Data):E2}");
        }
    }

    private static double MaxRel(float[] expected, float[] actual)
    {
        double scale = Math.Max(1e-30, expected.Max(v => Math.Abs(v)));
        return expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / scale;
    }
}
