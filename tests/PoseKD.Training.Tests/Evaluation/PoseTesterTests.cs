using PoseKD.Data.Loading;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;
using PoseKD.Training.Config;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Runs;

namespace PoseKD.Training.Tests.Evaluation;

public sealed class PoseTesterTests(TinyDataset data) : IClassFixture<TinyDataset>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"posekd-tester-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private PoseKDConfig Config => PoseKDConfig.Load(data.Summary.Configs[0]).WithBackbone("darknet_tiny_h") with
    {
        Input = PoseKDConfig.Load(data.Summary.Configs[0]).Input with { InputRes = 64 },
    };

    /// <summary>Head outputs that encode the ground truth: logit +12 at sampled positives (their class), −12 elsewhere; regression = the encoded GT offsets.</summary>
    private static PoseNetOutput Forced(PoseNetOutput shapes, Batch batch, IReadOnlyList<double[]> keypoints, HeadOptions head)
    {
        var layout = HeadLayout.From(shapes, head);
        var targets = TargetBuilder.Build(batch.Samples, keypoints, layout, head, new Generator(1));
        Assert.NotEmpty(targets.Positives);
        var cls = shapes.ClsLogits.Select(t => Tensor.FromArray(Enumerable.Repeat(-12f, t.Numel).ToArray(), t.Shape)).ToList();
        var reg = shapes.PoseReg.Select(t => Tensor.FromArray(new float[t.Numel], t.Shape)).ToList();
        foreach (var p in targets.Positives)
        {
            var c = cls[p.Level]; var r = reg[p.Level];
            int classes = c.Shape[1], hw = c.Shape[2] * c.Shape[3];
            c.Data[(p.Image * classes + p.ClassId) * hw + p.Index] = 12f;
            for (int j = 0; j < 16; j++) r.Data[(p.Image * 16 * classes + 16 * p.ClassId + j) * hw + p.Index] = p.Offsets[j];
        }
        return new PoseNetOutput(shapes.Features, cls, reg);
    }

    [Fact]
    public void Evaluate_HeadOutputsForcedToGroundTruth_Adi01Is100PercentAndOutputsAreWritten()
    {
        var cfg = Config;
        var loader = TrainRun.TestLoader(cfg, "TEST");
        var tester = TrainRun.Tester(cfg, loader);
        var net = TrainRun.BuildNetwork(cfg);
        net.Eval();
        var keypoints = loader.Builder.Dataset.Keypoints!;
        var result = tester.Evaluate(b => Forced(net.Forward(b.Images), b, keypoints, tester.Head), loader.Epoch(0));
        Assert.Equal(8, result.Predictions.Count);
        Assert.All(result.Predictions, p => Assert.NotNull(p.R));
        Assert.Equal(100.0, result.Adi01, 6);
        Assert.All(result.Predictions, p => Assert.True(p.Error2DPx < 0.5, $"{p.Path}: reprojection {p.Error2DPx} px"));
        var files = EvaluationWriter.Write(_dir, result, dataset: loader.Builder.Dataset);
        Assert.Contains(files, f => f.EndsWith("contact_sheet.png", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(File.Exists(f), f));
        var csv = PoseKD.Geometry.Bop.BopResultsCsv.Read(Path.Combine(_dir, EvaluationWriter.BopCsvName));
        Assert.Equal(8, csv.Count);
        Assert.Contains("ADI", File.ReadAllText(Path.Combine(_dir, "accuracy.txt")));
    }

    [Fact]
    public void Evaluate_AllLogitsNegative_EveryInstanceMissedAndAdiZero()
    {
        var cfg = Config;
        var loader = TrainRun.TestLoader(cfg, "TEST");
        var tester = TrainRun.Tester(cfg, loader);
        var net = TrainRun.BuildNetwork(cfg);
        net.Eval();
        var result = tester.Evaluate(b =>
        {
            var o = net.Forward(b.Images);
            return new PoseNetOutput(o.Features, o.ClsLogits.Select(t => Tensor.FromArray(Enumerable.Repeat(-20f, t.Numel).ToArray(), t.Shape)).ToList(), o.PoseReg);
        }, loader.Epoch(0));
        Assert.Equal(0.0, result.Adi01);
        Assert.All(result.Predictions, p => Assert.Null(p.R));
    }
}
