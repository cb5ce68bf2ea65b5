using Google.Protobuf;
using PoseKD.Data.Imaging;
using PoseKD.Engine.Autograd;
using PoseKD.Engine.Tensors;
using PoseKD.Inference.Onnx.Proto;
using PoseKD.Inference.Runtime;
using PoseKD.Model.PostProcessing;
using PoseKD.TestSupport;

namespace PoseKD.Inference.Tests;

public class PoseEstimatorTests(PoseEstimatorFixture fx) : IClassFixture<PoseEstimatorFixture>
{
    private static void AssertSame(IReadOnlyList<PoseResult> expected, IReadOnlyList<PoseResult> actual, double atol)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].ClassId, actual[i].ClassId);
            Numeric.AssertClose(expected[i].Score, actual[i].Score, atol: atol, rtol: 0, what: "score");
            Numeric.AssertClose(expected[i].R.Select(v => (float)v).ToArray(), actual[i].R.Select(v => (float)v).ToArray(), atol: atol, rtol: 0, what: "R");
            Numeric.AssertClose(expected[i].T.Select(v => (float)v).ToArray(), actual[i].T.Select(v => (float)v).ToArray(), atol: atol * 1000, rtol: atol, what: "T");
        }
    }

    private Image8 LoadImage(int i) => fx.Dataset.LoadImage(i);

    /// <summary>The oracle network prepared for every fixture image, and the predict pipeline's poses for them.</summary>
    private (OracleRunner Oracle, IReadOnlyList<PosePrediction>[] Expected, PoseKD.Data.Transforms.Sample[] Samples) PredictPipeline()
    {
        var builder = fx.Builder();
        var oracle = new OracleRunner(PoseEstimatorFixture.InputRes, fx.Metadata.LevelStrides, fx.Metadata.AnchorSizes);
        var post = new PostProcessor(new PoseKD.Model.Targets.HeadOptions
        {
            AnchorSizes = fx.Metadata.AnchorSizes, AnchorStrides = fx.Metadata.AnchorStrides, InternalK = PoseEstimatorFixture.InternalK,
            InternalWidth = 160, InternalHeight = 120, SymmetryTypes = new Dictionary<int, IReadOnlyList<PoseKD.Geometry.Rotations.EulerModulo>>(),
        }, fx.Dataset.Keypoints!);
        var samples = new PoseKD.Data.Transforms.Sample[fx.Dataset.Count];
        var expected = new IReadOnlyList<PosePrediction>[fx.Dataset.Count];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = builder.Build(i, new Random(0), out var problem) ?? throw new InvalidOperationException(problem);
            oracle.Prepare(samples[i]);
            var output = oracle.Run(Tensor.FromArray(samples[i].Image, 1, 3, samples[i].Size, samples[i].Size));
            expected[i] = post.Predict(output, [PoseImageInfo.FromSample(samples[i], filterToAnnotatedClasses: false)])[0];
        }
        return (oracle, expected, samples);
    }

    [Fact]
    public void Estimate_OracleNetwork_EqualsThePredictPipelineAndRecoversTheGtPose()
    {
        var (oracle, expected, samples) = PredictPipeline();
        using var estimator = new PoseEstimator(oracle, fx.Metadata);
        for (int i = 0; i < samples.Length; i++)
        {
            var actual = estimator.Estimate(LoadImage(i), PoseEstimatorFixture.CameraK, PoseEstimatorFixture.Box);
            Assert.Equal(expected[i].Count, actual.Count);
            Assert.Single(actual);
            for (int j = 0; j < actual.Count; j++)
            {
                Assert.Equal(expected[i][j].ClassId, actual[j].ClassId);
                Assert.Equal(expected[i][j].InlierCount, actual[j].Inliers);
                Assert.Equal(expected[i][j].R, actual[j].R);
                Assert.Equal(expected[i][j].T, actual[j].T);
                Assert.True(actual[j].Timings.TotalMs > 0);
            }
            // the GT keypoints in, the GT pose (original camera) out — up to the internal-camera re-derivation
            Numeric.AssertClose(samples[i].OriginalT[0].Select(v => (float)v).ToArray(), actual[0].T.Select(v => (float)v).ToArray(), atol: 1.0, rtol: 0, what: "t vs GT (mm)");
            Numeric.AssertClose(samples[i].OriginalR[0].Select(v => (float)v).ToArray(), actual[0].R.Select(v => (float)v).ToArray(), atol: 5e-3, rtol: 0, what: "R vs GT");
        }
    }

    [Fact]
    public void Load_OnnxAndWeights_GiveTheSamePoses()
    {
        using var onnx = PoseEstimator.Load(fx.OnnxPath, threads: 1);
        using var engine = PoseEstimator.Load(fx.WeightsPath, fx.ConfigPath);
        Assert.Equal("onnx", onnx.Runtime);
        Assert.Equal("engine", engine.Runtime);
        for (int i = 0; i < fx.Dataset.Count; i++)
            AssertSame(engine.Estimate(LoadImage(i), PoseEstimatorFixture.CameraK, PoseEstimatorFixture.Box),
                       onnx.Estimate(LoadImage(i), PoseEstimatorFixture.CameraK, PoseEstimatorFixture.Box), atol: 1e-3);
    }

    [Fact]
    public void Estimate_FourThreads_EqualSequentialResultsAndReuseBuffers()
    {
        var (oracle, _, _) = PredictPipeline();
        using var onnx = PoseEstimator.Load(fx.OnnxPath, threads: 1);
        using var estimator = new PoseEstimator(oracle, fx.Metadata);
        var images = Enumerable.Range(0, fx.Dataset.Count).Select(LoadImage).ToArray();
        foreach (var e in new[] { estimator, onnx })
        {
            var sequential = images.Select(im => e.Estimate(im, PoseEstimatorFixture.CameraK, PoseEstimatorFixture.Box)).ToArray();
            Assert.Equal(1, e.PooledWorkspaces);
            var parallel = new IReadOnlyList<PoseResult>[4 * images.Length];
            Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                j => parallel[j] = e.Estimate(images[j % images.Length], PoseEstimatorFixture.CameraK, PoseEstimatorFixture.Box));
            for (int j = 0; j < parallel.Length; j++) AssertSame(sequential[j % images.Length], parallel[j], atol: 0);
            Assert.InRange(e.PooledWorkspaces, 1, 4);
        }
        Assert.All(Enumerable.Range(0, images.Length), i => Assert.Single(estimator.Estimate(images[i], PoseEstimatorFixture.CameraK, PoseEstimatorFixture.Box)));
    }

    [Fact]
    public void Estimate_NoBox_UsesTheWholeImage()
    {
        using var estimator = PoseEstimator.Load(fx.OnnxPath, threads: 1);
        var results = estimator.Estimate(LoadImage(0), PoseEstimatorFixture.CameraK);
        Assert.All(results, r => Assert.Equal(0, r.ClassId));
    }

    [Fact]
    public void Estimate_BadImageOrCamera_ThrowsNamingTheExpectation()
    {
        using var estimator = PoseEstimator.Load(fx.OnnxPath, threads: 1);
        var gray = new Image8(160, 120, 1);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => estimator.Estimate(gray, PoseEstimatorFixture.CameraK)).Message);
        var small = new Image8(40, 30, 3);
        Assert.Contains("outside the 40×30 image", Assert.Throws<ArgumentException>(() => estimator.Estimate(small, PoseEstimatorFixture.CameraK)).Message);
        Assert.Contains("[fx, 0, cx", Assert.Throws<ArgumentException>(() => estimator.Estimate(LoadImage(0), [1, 0, 0])).Message);
        Assert.Contains("x2 > x1", Assert.Throws<ArgumentException>(() => estimator.Estimate(LoadImage(0), PoseEstimatorFixture.CameraK, [50, 50, 10, 60])).Message);
    }

    [Fact]
    public void Load_CorruptOrForeignModels_ThrowFormatExceptionsNamingTheProblem()
    {
        var dir = Path.Combine(fx.Dir, "bad");
        Directory.CreateDirectory(dir);
        string Write(string name, byte[] bytes) { var p = Path.Combine(dir, name); File.WriteAllBytes(p, bytes); return p; }
        var good = File.ReadAllBytes(fx.OnnxPath);

        var corrupt = Write("corrupt.onnx", good.Take(good.Length / 3).ToArray());
        var e1 = Assert.Throws<FormatException>(() => PoseEstimator.Load(corrupt));
        Assert.Contains("corrupt.onnx", e1.Message);

        var proto = ModelProto.Parser.ParseFrom(good);
        proto.OpsetImport[0].Version = 11;
        var e2 = Assert.Throws<FormatException>(() => PoseEstimator.Load(Write("opset11.onnx", proto.ToByteArray())));
        Assert.Contains("opset 11", e2.Message);

        proto = ModelProto.Parser.ParseFrom(good);
        proto.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = 128;
        var e3 = Assert.Throws<FormatException>(() => PoseEstimator.Load(Write("shape.onnx", proto.ToByteArray())));
        Assert.Contains($"expected [B, 3, {PoseEstimatorFixture.InputRes}, {PoseEstimatorFixture.InputRes}]", e3.Message);

        proto = ModelProto.Parser.ParseFrom(good);
        proto.MetadataProps.Clear();
        var e4 = Assert.Throws<FormatException>(() => PoseEstimator.Load(Write("nometa.onnx", proto.ToByteArray())));
        Assert.Contains("posekd.format_version", e4.Message);

        Assert.Throws<FileNotFoundException>(() => PoseEstimator.Load(Path.Combine(dir, "absent.onnx")));
        Assert.Throws<ArgumentException>(() => PoseEstimator.Load(fx.WeightsPath));
    }
}
