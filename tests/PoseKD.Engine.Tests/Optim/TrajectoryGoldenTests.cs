using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Optim;

/// <summary>20 steps of AdamW + OneCycleLR + clip_grad_norm_(1.0) on a tiny conv net equal PyTorch's (tools/golden/optim.py).</summary>
public class TrajectoryGoldenTests
{
    internal static Sequential TinyNet() => new(
        new Conv2d(3, 4, 3, padding: 1, bias: false),
        new BatchNorm2d(4),
        new LeakyReLU(0.1f),
        new Conv2d(4, 2, 1, bias: true));

    internal static Dictionary<string, NamedArray> Golden => SafeTensors.Read(Numeric.Fixture("optim/trajectory.safetensors"));

    internal static Dictionary<string, NamedArray> Initial(Dictionary<string, NamedArray> g)
        => g.Where(kv => kv.Key.StartsWith("init.")).ToDictionary(kv => kv.Key[5..], kv => kv.Value);

    internal static (Tensor X, Tensor Y) Data(Dictionary<string, NamedArray> g)
        => (Tensor.FromArray(g["x"].Data.ToArray(), 2, 3, 6, 6), Tensor.FromArray(g["y"].Data.ToArray(), 2, 2, 6, 6));

    internal static (float Loss, float Norm) TrainStep(Sequential net, AdamW opt, OneCycleLR sched, Tensor x, Tensor y)
    {
        opt.ZeroGrad();
        var diff = net.Forward(x) - y;
        var loss = F.Mean(diff * diff);
        loss.Backward();
        float norm = GradClip.ClipGradNorm(net.Parameters(), 1.0);
        opt.Step();
        sched.Step();
        return (loss.Item(), norm);
    }

    [Fact]
    public void AdamWOneCycleClip_TwentySteps_WeightsMatchTorchAfterEveryStep()
    {
        var g = Golden;
        var net = TinyNet();
        Assert.Equal(Initial(g).Keys.OrderBy(k => k), net.StateDictKeys().OrderBy(k => k));
        net.LoadStateDict(Initial(g));
        var (x, y) = Data(g);
        var opt = new AdamW(net.Parameters(), 2e-2, weightDecay: 1e-4, eps: 1e-8);
        var sched = new OneCycleLR(opt, 2e-2, 25, pctStart: 0.2);
        var lrs = OptimKernelsTests.Bits(g["lr_bits"]);
        for (int t = 0; t < 20; t++)
        {
            Assert.Equal(lrs[t], opt.LearningRate);
            var (loss, norm) = TrainStep(net, opt, sched, x, y);
            Numeric.AssertClose(g["loss"].Data[t], loss, 1e-6, 1e-4, $"loss at step {t}");
            Numeric.AssertClose(g["grad_norm"].Data[t], norm, 1e-6, 1e-4, $"grad norm at step {t}");
            foreach (var (key, value) in net.StateDict())
            {
                var all = g["step." + key];
                if (value.DType == "I64") { Assert.Equal(all.Int64Data![t], value.Int64Data![0]); continue; }
                int n = value.Data.Length;
                Numeric.AssertClose(all.Data.AsSpan(t * n, n), value.Data, 2e-5, 1e-3, $"{key} after step {t + 1}");
            }
        }
    }
}
