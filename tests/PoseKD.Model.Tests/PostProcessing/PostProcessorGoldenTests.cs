using PoseKD.Geometry.Rotations;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Tests.Losses;
using PoseKD.TestSupport;
using Xunit.Abstractions;

namespace PoseKD.Model.Tests.PostProcessing;

public sealed class PostProcessorGoldenTests(ITestOutputHelper log)
{
    private static readonly HeadFixture Fx = new("postprocess.safetensors");

    private static PoseImageInfo Info(int b, bool filter) => new()
    {
        K = Fx.K, BboxTrans = Fx.D($"img{b}.bbox_trans"), ClassFilter = filter ? [Fx.Samples[b].ClassIds[0]] : null,
    };

    private static PostProcessor Processor() => new(HeadFixture.Options with { SymmetryTypes = new Dictionary<int, IReadOnlyList<EulerModulo>>() }, Fx.Keypoints3d);

    [Fact]
    public void Predict_SameCorrespondencesAsReference_PoseCloseToOpenCv()
    {
        var output = Fx.Output(false);
        var preds = Processor().Predict(output, [Info(0, true), Info(1, true)]);
        for (int b = 0; b < HeadFixture.Batch; b++)
        {
            Assert.Equal((int)Fx.I64($"pred{b}.count")[0], preds[b].Count);
            var p = Assert.Single(preds[b]);
            Assert.Equal((int)Fx.I64($"pred{b}.0.class")[0], p.ClassId);
            Numeric.AssertClose(Fx.F32($"pred{b}.0.score")[0], p.Score, atol: 0, rtol: 1e-5, what: "score");
            // the reference calls solvePnPRansac once per image here, in image order
            Numeric.AssertClose(Fx.F32($"call{b}.image"), p.Keypoints, atol: 2e-3, rtol: 1e-5, what: $"image {b} PnP image points");
            Assert.Equal(Fx.F32($"call{b}.object").Length / 3, p.Keypoints.Length / 2);
            var rCv = Fx.D($"call{b}.R");
            var tCv = Fx.D($"call{b}.T");
            double angle = RotationMath.AngleDeg(rCv, p.RInternal);
            double dt = Math.Sqrt(Enumerable.Range(0, 3).Sum(i => Math.Pow(tCv[i] - p.TInternal[i], 2)));
            log.WriteLine($"image {b}: {p.Keypoints.Length / 2} correspondences, rotation vs OpenCV {angle:E2}°, translation {dt:E2} mm, inliers {p.InlierCount} vs {Fx.I64($"call{b}.inliers")[0]}");
            Assert.True(angle < 0.01, $"image {b}: rotation differs from OpenCV's by {angle:F4}°");
            Assert.True(dt < 1e-3, $"image {b}: translation differs from OpenCV's by {dt:F3} mm");
            Assert.Equal((int)Fx.I64($"call{b}.inliers")[0], p.InlierCount);
        }
    }

    [Fact]
    public void TeacherKnowledge_EqualsReferenceKdPostProcessor()
    {
        var kd = Processor().TeacherKnowledge(Fx.Output(false), [Info(0, false), Info(1, false)]);
        for (int b = 0; b < HeadFixture.Batch; b++)
        {
            var expected = Fx.F32($"kd{b}.keypoints");
            Assert.Equal(expected.Length / 16, kd[b].Count);
            Assert.Equal([kd[b].Count, 8, 2], kd[b].Keypoints.Shape);
            Numeric.AssertClose(expected, kd[b].Keypoints.Data, atol: 2e-3, rtol: 1e-5, what: $"image {b} teacher keypoints");
            Numeric.AssertClose(Fx.F32($"kd{b}.scores"), kd[b].Weights.Data, atol: 1e-6, rtol: 1e-5, what: $"image {b} teacher weights");
        }
    }

    [Fact]
    public void Predict_WrongInfoCount_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Processor().Predict(Fx.Output(false), [Info(0, true)]));
        Assert.Contains("1 image infos for a batch of 2", ex.Message);
    }
}
