using System.CommandLine;
using System.Diagnostics;
using PoseKD.Engine.Autograd;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Cli.Commands;

/// <summary>
/// <c>posekd demo</c>: until the pose pipeline is wired in, demonstrates the engine itself — a small MLP
/// (2 → 64 → 64 → 3, LeakyReLU 0.1) built from the core differentiable ops (matmul, broadcasting add,
/// leaky-relu, logsumexp, gather, mean) is fitted with plain SGD, written inline, to a seeded 3-arm spiral
/// classification problem; it prints the cross-entropy falling and the final training accuracy.
/// </summary>
public sealed class DemoCommand : IVerb
{
    /// <summary>Outcome of a demo run.</summary>
    internal sealed record Result(float InitialLoss, float FinalLoss, float Accuracy, double Seconds);

    /// <inheritdoc />
    public Command Build()
    {
        var steps = new Option<int>("--steps") { Description = "SGD steps", DefaultValueFactory = _ => 1500 };
        var seed = new Option<ulong>("--seed") { Description = "random seed (data and initial weights)", DefaultValueFactory = _ => 1 };
        var cmd = new Command("demo", "Engine demonstration: fit a small MLP to a 2-D spiral with autograd + SGD.");
        cmd.Options.Add(steps);
        cmd.Options.Add(seed);
        cmd.SetAction(parse =>
        {
            Run(parse.GetValue(steps), parse.GetValue(seed), Console.Out);
            return 0;
        });
        return cmd;
    }

    /// <summary>Generates the data, trains, and reports to <paramref name="output"/>.</summary>
    internal static Result Run(int steps, ulong seed, TextWriter output)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"--steps must be at least 1, got {steps}");
        const int classes = 3, perClass = 100, hidden = 64;
        const float lr = 0.3f;
        output.WriteLine("PoseKD demo: the pose pipeline (train/distill/evaluate on BOP data) is not wired into this command yet.");
        output.WriteLine("This is the ENGINE's own demonstration: an MLP 2-64-64-3 built from PoseKD.Engine tensors and autograd,");
        output.WriteLine($"trained with plain SGD (lr {lr}) on a generated 3-arm spiral ({classes * perClass} points, seed {seed}).");

        var gen = new Generator(seed);
        var (x, labels) = Spiral(gen, classes, perClass);
        var parameters = new List<Tensor>();
        Tensor Param(Tensor t) { t.RequiresGrad = true; parameters.Add(t); return t; }
        Tensor Kaiming(int fanIn, int fanOut) => F.Mul(Tensor.Randn(gen, fanIn, fanOut), MathF.Sqrt(2f / fanIn));
        var w1 = Param(Kaiming(2, hidden)); var b1 = Param(Tensor.Zeros(hidden));
        var w2 = Param(Kaiming(hidden, hidden)); var b2 = Param(Tensor.Zeros(hidden));
        var w3 = Param(Kaiming(hidden, classes)); var b3 = Param(Tensor.Zeros(classes));

        Tensor Logits(Tensor input)
        {
            var h = F.LeakyRelu(F.Matmul(input, w1) + b1, 0.1f);
            h = F.LeakyRelu(F.Matmul(h, w2) + b2, 0.1f);
            return F.Matmul(h, w3) + b3;
        }

        // Cross-entropy: mean_i [logsumexp_c z_ic − z_i,y_i].
        int n = labels.Length;
        Tensor Loss(Tensor logits) => F.Mean(F.LogSumExp(logits, 1) - F.Reshape(F.Gather(logits, 1, labels, [n, 1]), n));

        var sw = Stopwatch.StartNew();
        float initial = float.NaN, last = float.NaN;
        int every = Math.Max(1, steps / 10);
        for (int step = 1; step <= steps; step++)
        {
            var loss = Loss(Logits(x));
            last = loss.Item();
            if (step == 1) initial = last;
            loss.Backward();
            using (GradMode.NoGrad())
            {
                foreach (var p in parameters)
                {
                    var g = p.Grad!.Data;
                    for (int i = 0; i < p.Data.Length; i++) p.Data[i] -= lr * g[i];
                    p.ZeroGrad();
                }
            }
            if (step == 1 || step % every == 0 || step == steps)
                output.WriteLine($"step {step,5}  loss {last:F4}");
        }

        float accuracy;
        using (GradMode.NoGrad())
        {
            var predicted = F.Argmax(Logits(x), 1);
            accuracy = predicted.Zip(labels).Count(p => p.First == p.Second) / (float)n;
            last = Loss(Logits(x)).Item();
        }
        double seconds = sw.Elapsed.TotalSeconds;
        output.WriteLine($"final loss {last:F4} (initial {initial:F4}), training accuracy {accuracy:P1}, {steps} steps in {seconds:F1} s");
        return new Result(initial, last, accuracy, seconds);
    }

    /// <summary>
    /// Spiral data: class c, point i at radius r = i/(m−1) and angle θ = 4(c + r) + 0.2·N(0, 1),
    /// position (r·sin θ, r·cos θ). Returns x [classes·m, 2] and labels.
    /// </summary>
    private static (Tensor X, int[] Labels) Spiral(Generator gen, int classes, int perClass)
    {
        var x = Tensor.Zeros(classes * perClass, 2);
        var labels = new int[classes * perClass];
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                int row = c * perClass + i;
                float r = i / (float)(perClass - 1);
                float theta = 4f * (c + r) + 0.2f * gen.NextNormal();
                x.Data[row * 2] = r * MathF.Sin(theta);
                x.Data[row * 2 + 1] = r * MathF.Cos(theta);
                labels[row] = c;
            }
        return (x, labels);
    }
}
