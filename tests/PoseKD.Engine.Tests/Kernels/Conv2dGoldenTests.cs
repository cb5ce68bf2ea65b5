using PoseKD.Engine.Interop;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Kernels;

public class Conv2dGoldenTests
{
    /// <summary>One case of <c>Fixtures/conv/conv2d.safetensors</c> (written by tools/golden/conv.py).</summary>
    internal sealed record GoldenCase(string Name, Conv2dShape Shape, bool HasBias, float[] X, float[] W, float[] B,
        float[] Y, float[] Gy, float[] Gx, float[] Gw, float[] Gb);

    internal static IReadOnlyList<GoldenCase> LoadCases()
    {
        var arrays = SafeTensors.Read(Numeric.Fixture("conv/conv2d.safetensors"));
        var cases = new List<GoldenCase>();
        foreach (var key in arrays.Keys.Where(k => k.EndsWith(".meta", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string name = key[..^5];
            var m = arrays[key].Int64Data!.Select(v => (int)v).ToArray();
            bool hasBias = m[8] != 0;
            float[] Get(string field) => arrays[$"{name}.{field}"].Data;
            cases.Add(new GoldenCase(name, new Conv2dShape(m[0], m[1], m[2], m[3], m[4], m[5], m[5], m[6], m[7]), hasBias,
                Get("x"), Get("w"), hasBias ? Get("b") : [], Get("y"), Get("gy"), Get("gx"), Get("gw"), hasBias ? Get("gb") : []));
        }
        return cases;
    }

    [Fact]
    public void Fixture_HasSeveralCases()
        => Assert.True(LoadCases().Count >= 8, "conv2d.safetensors should hold at least 8 cases");

    [Fact]
    public void Im2Col_GoldenCases_MatchTorch()
        => CheckAll(Conv2d.Im2ColForward, Conv2d.Im2ColBackwardData, Conv2d.Im2ColBackwardWeights, "im2col");

    [Fact]
    public void Reference_GoldenCases_MatchTorch()
        => CheckAll(ConvReference.Forward, ConvReference.BackwardData, ConvReference.BackwardWeights, "reference");

    [Fact]
    public void OneDnn_GoldenCases_MatchTorch()
    {
        Assert.True(OneDnnConv.IsAvailable, $"install the Debian package {OneDnn.DebianPackage}");
        CheckAll(OneDnnConv.Forward, OneDnnConv.BackwardData, OneDnnConv.BackwardWeights, "onednn");
    }

    private static void CheckAll(Conv2dTests.ForwardFn fwd, Conv2dTests.BackwardDataFn bwdData, Conv2dTests.BackwardWeightsFn bwdWeights, string what)
    {
        foreach (var g in LoadCases())
        {
            var s = g.Shape;
            var y = new float[s.OutputSize];
            fwd(g.X, g.W, g.B, y, s);
            Numeric.AssertClose(g.Y, y, 1e-5, 1e-4, $"{what} {g.Name} y");
            var gx = new float[s.InputSize];
            bwdData(g.Gy, g.W, gx, s);
            Numeric.AssertClose(g.Gx, gx, 1e-5, 1e-4, $"{what} {g.Name} grad_input");
            var gw = new float[s.WeightSize];
            var gb = new float[g.HasBias ? s.OutChannels : 0];
            bwdWeights(g.X, g.Gy, gw, gb, s);
            Numeric.AssertClose(g.Gw, gw, 1e-4, 1e-4, $"{what} {g.Name} grad_weight");
            Numeric.AssertClose(g.Gb, gb, 1e-4, 1e-4, $"{what} {g.Name} grad_bias");
        }
    }
}
