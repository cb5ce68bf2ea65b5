using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Nn;

/// <summary>
/// A module with the structure of the reference's Darknet-tiny-H backbone (see tools/golden/nn_modules.py)
/// reproduces PyTorch's forward, backward, BatchNorm running statistics and state-dict keys.
/// </summary>
public class DarknetTinyHGoldenTests
{
    private static readonly int[][] Stages = [[8], [16], [8, 64, 8, 64], [16, 128, 16, 128], [32, 256, 32, 256, 64]];

    private sealed class Unit : Layer
    {
        public Unit(int cin, int cout, int k)
        {
            Conv = RegisterModule("conv", new Conv2d(cin, cout, k, 1, k / 2, bias: false));
            Bn = RegisterModule("bn", new BatchNorm2d(cout));
            Activ = RegisterModule("activ", new LeakyReLU(0.1f));
        }

        public Conv2d Conv { get; }
        public BatchNorm2d Bn { get; }
        public LeakyReLU Activ { get; }

        public override Tensor Forward(Tensor input) => Activ.Forward(Bn.Forward(Conv.Forward(input)));
    }

    private sealed class Mirror : Module
    {
        public Mirror()
        {
            Features = RegisterModule("features", new Sequential());
            int cin = 3;
            for (int i = 0; i < Stages.Length; i++)
            {
                var stage = new Sequential();
                for (int j = 0; j < Stages[i].Length; j++)
                {
                    bool pointwise = Stages[i].Length > 1 && j % 2 == 0;
                    stage.Add($"unit{j + 1}", new Unit(cin, Stages[i][j], pointwise ? 1 : 3));
                    cin = Stages[i][j];
                }
                if (i != Stages.Length - 1) stage.Add($"pool{i + 1}", new MaxPool2d(2, 2));
                Features.Add($"stage{i + 1}", stage);
            }
        }

        public Sequential Features { get; }

        public Tensor[] Forward(Tensor x)
        {
            var o1 = Features[0].Forward(x);
            var o2 = Features[1].Forward(o1);
            var o3 = Features[2].Forward(o2);
            var o5 = Features[4].Forward(Features[3].Forward(o3));
            return [o1, o2, o3, o5];
        }
    }

    /// <summary>x_i = sin(a·i + b) in double, rounded to float (as the golden script).</summary>
    private static float[] Pattern(int n, double a, double b) => Enumerable.Range(0, n).Select(i => (float)Math.Sin(a * i + b)).ToArray();

    /// <summary>The golden script's deterministic value of state-dict entry number k.</summary>
    private static float[] Fill(string key, int k, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        Func<int, double> f = key switch
        {
            _ when key.EndsWith("conv.weight") => i => 1.5 / Math.Sqrt(shape.Skip(1).Aggregate(1, (a, b) => a * b)) * Math.Sin(0.37 * i + 1.3 * k),
            _ when key.EndsWith("bn.weight") => i => 1.0 + 0.2 * Math.Sin(0.91 * i + k),
            _ when key.EndsWith("bn.bias") => i => 0.1 * Math.Cos(0.53 * i + k),
            _ when key.EndsWith("running_mean") => i => 0.05 * Math.Sin(i + k),
            _ when key.EndsWith("running_var") => i => 1.0 + 0.15 * (1.0 + Math.Sin(0.7 * i + k)),
            _ => throw new ArgumentException(key),
        };
        return Enumerable.Range(0, n).Select(i => (float)f(i)).ToArray();
    }

    private static (Mirror Net, Dictionary<string, NamedArray> Golden, string[] Keys) Setup()
    {
        var golden = SafeTensors.Read(Numeric.Fixture("modules/darknet_tiny_h.safetensors"), out var meta);
        var net = new Mirror();
        var sd = net.StateDict();
        var keys = sd.Keys.ToArray();
        var filled = new Dictionary<string, NamedArray>();
        for (int k = 0; k < keys.Length; k++)
        {
            var e = sd[keys[k]];
            filled[keys[k]] = keys[k].EndsWith("num_batches_tracked") ? e : NamedArray.FromFloats(Fill(keys[k], k, e.IntShape), e.Shape);
        }
        net.LoadStateDict(filled);
        return (net, golden, meta["keys"].Split('\n'));
    }

    [Fact]
    public void StateDictKeys_DarknetTinyHMirror_EqualTorchKeys()
    {
        var (net, _, keys) = Setup();
        Assert.Equal(keys, net.StateDictKeys().ToArray());
        Assert.Equal(90, keys.Length);
        Assert.Contains("features.stage1.unit1.conv.weight", keys);
        Assert.Contains("features.stage5.unit5.bn.num_batches_tracked", keys);
    }

    [Fact]
    public void ForwardBackward_TrainMode_MatchesTorch()
    {
        var (net, g, _) = Setup();
        var x = Tensor.FromArray(g["x"].Data.ToArray(), 2, 3, 32, 32);
        x.RequiresGrad = true;
        var outs = net.Forward(x);
        int[] ids = [1, 2, 3, 5];
        Tensor? loss = null;
        for (int k = 0; k < 4; k++)
        {
            var o = outs[k];
            Assert.Equal(g[$"train.out{ids[k]}"].IntShape, o.Shape);
            Numeric.AssertClose(g[$"train.out{ids[k]}"].Data, o.Data, 2e-4, 1e-3, $"train.out{ids[k]}");
            var r = Tensor.FromArray(Pattern(o.Numel, 0.1, ids[k]), o.Shape);
            var term = F.Sum(o * r);
            loss = loss is null ? term : loss + term;
        }
        loss!.Backward();
        // Gradients through 15 conv-BN layers reach |g| ~ 10³ in stage 1; float32 rounding (torch's own float32
        // result differs from float64 by up to 3e-5·max|g|) calls for an absolute tolerance scaled by max|g|.
        static void Close(float[] expected, float[] actual, string what)
            => Numeric.AssertClose(expected, actual, 1e-4 * Math.Max(1, expected.Max(Math.Abs)), 1e-3, what);
        Close(g["grad.x"].Data, x.Grad!.Data, "grad.x");
        foreach (var (name, p) in net.NamedParameters())
        {
            if (g.TryGetValue("grad." + name, out var full))
                Close(full.Data, p.Grad!.Data, "grad." + name);
            else
                Close(g[$"grad.{name}.strided"].Data, p.Grad!.Data.Where((_, i) => i % 37 == 0).ToArray(), $"grad.{name}.strided");
        }
        foreach (var (name, buffer) in net.NamedBuffers())
        {
            var e = g["after." + name];
            if (buffer is Int64Buffer ib) Assert.Equal(e.Int64Data![0], ib.Value);
            else Numeric.AssertClose(e.Data, ((Tensor)buffer).Data, 1e-5, 1e-4, "after." + name);
        }
    }

    [Fact]
    public void Forward_EvalModeAfterOneTrainStep_MatchesTorch()
    {
        var (net, g, _) = Setup();
        var x = Tensor.FromArray(g["x"].Data.ToArray(), 2, 3, 32, 32);
        net.Forward(x);
        net.Eval();
        var outs = net.Forward(x);
        Numeric.AssertClose(g["eval.out3"].Data, outs[2].Data, 2e-4, 1e-3, "eval.out3");
        Numeric.AssertClose(g["eval.out5"].Data, outs[3].Data, 2e-4, 1e-3, "eval.out5");
        Assert.All(net.NamedBuffers().Select(b => b.Buffer).OfType<Int64Buffer>(), b => Assert.Equal(1, b.Value));
    }
}
