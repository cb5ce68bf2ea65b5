using PoseKD.Data.Loading;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Tests.Loop;

/// <summary>
/// A small conv net with two loss terms on real batches; term "loss_b" reads pixels chosen with the step's
/// generator, so a resume that mis-seeds steps diverges. <see cref="PoisonStep"/> makes "loss_b" NaN at that step.
/// </summary>
internal sealed class TinyTask : ITrainingTask
{
    public TinyTask(int seed = 1)
    {
        var g = new Generator((ulong)seed);
        _net = new Sequential(new Conv2d(3, 4, 3, padding: 1, bias: false), new BatchNorm2d(4), new LeakyReLU(0.1f), new Conv2d(4, 1, 1, bias: true));
        foreach (var p in _net.Parameters())
        {
            var d = p.Data;
            for (int i = 0; i < d.Length; i++) d[i] = g.NextNormal(0, 0.3f);
        }
    }

    private readonly Sequential _net;

    public Module Model => _net;

    public long PoisonStep { get; set; } = -1;

    public List<long> Steps { get; } = [];

    public LossTerms Losses(Batch batch, StepContext context)
    {
        Steps.Add(context.Step);
        var y = _net.Forward(batch.Images);            // [B, 1, S, S]
        var target = new float[y.Numel];
        int s = batch.Samples[0].Size;
        for (int b = 0; b < batch.Samples.Count; b++)
            for (int i = 0; i < s * s; i++)
                target[b * s * s + i] = batch.Samples[b].Labels[i] == 1 ? 1f : 0f;
        var diff = y - Tensor.FromArray(target, y.Shape);
        var a = F.Mean(diff * diff);
        // a few pixels picked by the step's generator
        var pick = new float[y.Numel];
        for (int k = 0; k < 16; k++) pick[context.Rng.NextInt(y.Numel)] = 1f;
        var picked = F.Mean(y * Tensor.FromArray(pick, y.Shape));
        if (context.Step == PoisonStep) picked = picked * float.NaN;
        return new LossTerms().Add("loss_a", a, 1).Add("loss_b", picked * picked, 0.5).Add("loss_log_only", a, 0);
    }
}
