using PoseKD.Engine.Autograd;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace PoseKD.Model.Tests.Network;

/// <summary>Same weights and inputs as the reference's own PoseModule (tools/golden/model_reference.py) → same outputs and gradients.</summary>
public sealed class PoseNetParityTests(ITestOutputHelper log)
{
    private const double ForwardTol = 1e-4, GradTol = 1e-3;

    private static PoseNet LoadTinyH()
    {
        var net = PoseNet.Create("darknet_tiny_h", new Generator(5));
        var report = PoseNetWeights.Load(net, NetworkFixtures.TinyHWeights);
        Assert.True(report.IsComplete, report.ToString());
        Assert.Empty(report.KnownIgnored);
        Assert.Equal(net.StateDictKeys().Count(), report.Matched.Count);
        return net;
    }

    [Fact]
    public void Forward_TinyHReferenceWeights_EvalAndTrainMatchReference()
    {
        var fx = NetworkFixtures.Read("tiny_h_forward.safetensors");
        var net = LoadTinyH();
        var x = NetworkFixtures.ToTensor(fx["input"]);
        net.Eval();
        PoseNetOutput eval;
        using (GradMode.NoGrad()) eval = net.Forward(x);
        double e = NetworkFixtures.AssertOutputs(fx, "eval", eval, ForwardTol);
        net.Train();
        var train = net.Forward(x);
        double t = NetworkFixtures.AssertOutputs(fx, "train", train, ForwardTol);
        log.WriteLine($"tiny_h forward max rel error: eval {e:E2}, train {t:E2}");
        // the train-mode forward updated the running statistics as PyTorch's did
        var sd = net.StateDict();
        foreach (var key in fx.Keys.Where(k => k.StartsWith("after_train.", StringComparison.Ordinal)))
        {
            double rel = NetworkFixtures.MaxRelError(fx[key].Data, sd[key["after_train.".Length..]].Data);
            Assert.True(rel <= ForwardTol, $"{key}: {rel:E3}");
        }
    }

    [Fact]
    public void Backward_TinyHReferenceWeightsTrainMode_AllParameterGradientsMatchReference()
    {
        var fx = NetworkFixtures.Read("tiny_h_forward.safetensors");
        var net = LoadTinyH();
        net.Train();
        NetworkFixtures.Objective(net.Forward(NetworkFixtures.ToTensor(fx["input"]))).Backward();
        var (strict, widened, worst, key, worstNorm) = CompareGradients(fx, "grad", net);
        log.WriteLine($"tiny_h train-mode gradients: {strict + widened} tensors, {strict} within {GradTol:E0}, {widened} within 2× the reference's own f32-vs-f64 error; max rel error {worst:E2} ({key}), max norm rel error {worstNorm:E2}");
    }

    [Fact]
    public void Backward_TinyHReferenceWeightsEvalMode_AllParameterGradientsWithinTolerance()
    {
        var fx = NetworkFixtures.Read("tiny_h_forward.safetensors");
        var net = LoadTinyH();
        var x = NetworkFixtures.ToTensor(fx["input"]);
        net.Train();
        using (GradMode.NoGrad()) net.Forward(x); // the reference's running statistics after its train-mode pass
        net.Eval();
        NetworkFixtures.Objective(net.Forward(x)).Backward();
        var (strict, widened, worst, key, worstNorm) = CompareGradients(fx, "evalgrad", net);
        log.WriteLine($"tiny_h eval-mode gradients: {strict + widened} tensors, {strict} within {GradTol:E0}, {widened} within 2× the reference's own f32-vs-f64 error; max rel error {worst:E2} ({key}), max norm rel error {worstNorm:E2}");
    }

    /// <summary>
    /// Every parameter's gradient against the fixture's <c>{prefix}.&lt;key&gt;</c> (subsampled entries) and
    /// <c>{prefix}norm.&lt;key&gt;</c>. Where the reference's own float32 gradient is far from its float64 one
    /// (<c>{prefix}noise</c>: sums of cancelling terms through BatchNorm / GroupNorm), two float32 implementations
    /// can differ by up to twice that much, so the tolerance is max(1e-3, 2 × that error); the norm must always
    /// agree to 1e-3.
    /// </summary>
    private static (int Strict, int Widened, double Worst, string WorstKey, double WorstNorm) CompareGradients(Dictionary<string, NamedArray> fx, string prefix, PoseNet net)
    {
        double worst = 0, worstNorm = 0;
        string worstKey = "";
        int strict = 0, widened = 0;
        foreach (var (key, p) in net.NamedParameters())
        {
            var expected = fx[$"{prefix}.{key}"].Data;
            var g = p.Grad?.Data ?? new float[p.Numel];
            int step = Math.Max(1, (int)Math.Ceiling(g.Length / 16384.0));
            var sub = new float[expected.Length];
            for (int i = 0; i < sub.Length; i++) sub[i] = g[i * step];
            double rel = NetworkFixtures.MaxRelError(expected, sub);
            double norm = Math.Sqrt(g.Sum(v => (double)v * v)), enorm = fx[$"{prefix}norm.{key}"].Data[0];
            double relNorm = enorm == 0 ? norm : Math.Abs(norm - enorm) / enorm;
            double noise = fx[$"{prefix}noise.{key}"].Data[0];
            double tol = Math.Max(GradTol, 2 * noise);
            if (rel > tol || relNorm > GradTol)
                throw new XunitException($"{prefix} {key}: max rel error {rel:E3} (tolerance {tol:E2}; reference f32-vs-f64 {noise:E2}), norm rel error {relNorm:E3} (norm {norm}, expected {enorm})");
            if (rel <= GradTol) strict++; else widened++;
            if (rel > worst) { worst = rel; worstKey = key; }
            worstNorm = Math.Max(worstNorm, relNorm);
        }
        Assert.Equal(fx.Keys.Count(k => k.StartsWith(prefix + ".", StringComparison.Ordinal)), strict + widened);
        return (strict, widened, worst, worstKey, worstNorm);
    }

    [Theory]
    [InlineData("darknet_tiny", "tiny_forward.safetensors")]
    [InlineData("darknet53", "darknet53_forward.safetensors")]
    public void Forward_FilledWeights_MatchReference(string backbone, string fixture)
    {
        var fx = NetworkFixtures.Read(fixture);
        var net = PoseNet.Create(backbone, new Generator(2));
        NetworkFixtures.Fill(net);
        net.Eval();
        PoseNetOutput o;
        using (GradMode.NoGrad()) o = net.Forward(NetworkFixtures.ToTensor(fx["input"]));
        double worst = NetworkFixtures.AssertOutputs(fx, "eval", o, ForwardTol);
        log.WriteLine($"{backbone} forward max rel error {worst:E2}");
    }

    [Fact]
    public void FoldBatchNorm_TinyHReferenceWeights_EqualsEvalMode()
    {
        var fx = NetworkFixtures.Read("tiny_h_forward.safetensors");
        var net = LoadTinyH();
        var x = NetworkFixtures.ToTensor(fx["input"]);
        net.Eval();
        PoseNetOutput eval, folded;
        using (GradMode.NoGrad())
        {
            eval = net.Forward(x);
            net.FoldBatchNorm();
            Assert.True(net.IsBatchNormFolded);
            folded = net.Forward(x);
        }
        double worst = 0;
        foreach (var (a, b) in eval.Features.Concat(eval.ClsLogits).Concat(eval.PoseReg).Zip(folded.Features.Concat(folded.ClsLogits).Concat(folded.PoseReg)))
            worst = Math.Max(worst, NetworkFixtures.MaxRelError(a.Data, b.Data));
        log.WriteLine($"BN folded vs eval max rel error {worst:E2}");
        Assert.InRange(worst, 0, 1e-5);
        Assert.InRange(worst, 1e-12, 1e-5); // folding changed the arithmetic, so the folded path really ran
    }
}
