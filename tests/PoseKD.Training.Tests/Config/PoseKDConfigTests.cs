using PoseKD.Training.Config;

namespace PoseKD.Training.Tests.Config;

public class PoseKDConfigTests
{
    [Fact]
    public void Load_ReferenceApeYaml_ReadsItsValuesAndReportsNoUnknownKeys()
    {
        var c = PoseKDConfig.Load(RepoPaths.Config("ape.yaml"));
        Assert.Empty(c.UnknownKeys);
        Assert.Equal("darknet_tiny_h", c.Model.Backbone);
        Assert.Equal([32, 64, 128, 256, 512], c.Model.AnchorSizes);
        Assert.Equal("./data/linemod/000001_train.txt", c.Datasets.Train);
        Assert.Equal(104.26, c.Datasets.MeshDiametersMm[0]);
        Assert.Equal(15, c.Datasets.MeshDiametersMm.Length);
        Assert.Equal(["X", "180", "Y", "180", "Z", "180"], c.Datasets.SymmetryTypes["cls_9"]);
        Assert.Equal(new HashSet<int> { 9, 10 }, c.Datasets.SymmetricClassIds);
        Assert.Equal(16, c.Datasets.NClass);
        Assert.Equal(573.57043, c.Input.InternalK[4]);
        Assert.Equal(15, c.Input.MinT.Length);
        Assert.Equal(1929.7261, c.Input.MaxT[14][2]);
        Assert.Equal(500, c.Solver.ValFreq);
        Assert.Equal(0.001, c.Solver.BaseLr);
        Assert.Equal(10000, c.Solver.MaxIter);
        Assert.Equal(0.1, c.Solver.LossWeightCls);
        Assert.Equal("3D", c.Solver.LossRegType);
        Assert.Equal(10, c.Solver.AugmentationRotation);
        Assert.Equal(8, c.Test.ImsPerBatch);
        Assert.Equal(0.1, c.Test.ConfidenceTh);
        // the placeholder list is kept; the weight is the reference's --kd_weight default
        Assert.Equal([1.0, 1, 1, 1], c.Kd.LossWeightKdList!);
        Assert.Equal(5, c.Kd.LossWeightKd);
        // defaults the reference's custom_cfg / argument parser supply
        Assert.Equal(1.0, c.Solver.GradClip);
        Assert.Equal(2.0, c.Solver.FocalGamma);
        Assert.Equal(0.25, c.Solver.FocalAlpha);
        Assert.Equal(10, c.Solver.PositiveNum);
        Assert.Equal("sinkhorn", c.Kd.GType);
        Assert.Equal(0.5, c.Kd.Reach);
        Assert.Equal(256, c.Input.InputRes);
    }

    [Fact]
    public void ToYaml_ThenParse_RoundTripsEveryValue()
    {
        var c = PoseKDConfig.Load(RepoPaths.Config("ape.yaml")).WithBackbone("darknet53") with
        {
            Run = new RunConfig { Workers = 3, Seed = 7, PlotFreq = 0 },
            Kd = new KdConfig { LossWeightKd = 0, GType = "l2", FeatureWeight = 0.25 },
            Solver = new SolverConfig { AugmentationBackgroundDir = "it's/here", BaseLr = 1.0 / 3 },
        };
        string yaml = c.ToYaml();
        var back = PoseKDConfig.Parse(yaml, "roundtrip.yaml");
        Assert.Empty(back.UnknownKeys);
        Assert.Equal(yaml, back.ToYaml());
        Assert.Equal(1.0 / 3, back.Solver.BaseLr);
        Assert.Equal("it's/here", back.Solver.AugmentationBackgroundDir);
        Assert.Equal([0, 0, 256, 512, 1024], back.Model.FeatChannels);
        Assert.Equal(c.Input.MinT[3], back.Input.MinT[3]);
        Assert.Equal(c.Datasets.SymmetryTypes["cls_10"], back.Datasets.SymmetryTypes["cls_10"]);
        Assert.Null(PoseKDConfig.Parse(new PoseKDConfig().ToYaml()).Solver.AugmentationBackgroundDir);
    }

    [Theory]
    [InlineData("darknet_tiny", 256, 500)]
    [InlineData("darknet_tiny_h", 128, 500)]
    [InlineData("darknet53", 256, 2000)]
    public void WithBackbone_ReferenceRules_SetWidthsAndValidationFrequency(string backbone, int outChannel, int valFreq)
    {
        var c = new PoseKDConfig().WithBackbone(backbone);
        Assert.Equal(backbone, c.Model.Backbone);
        Assert.Equal(outChannel, c.Model.OutChannel);
        Assert.Equal(valFreq, c.Solver.ValFreq);
    }

    [Fact]
    public void WithBackbone_Unknown_ThrowsNamingTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => new PoseKDConfig().WithBackbone("resnet9"));
        Assert.Contains("darknet_tiny_h", e.Message);
    }

    [Fact]
    public void Parse_UnknownKeys_AreListedNotFatal()
    {
        var c = PoseKDConfig.Parse("SOLVER:\n  BASE_LR: 0.01\n  FANCY: 3\nEXTRA:\n  A: 1\n", "x.yaml");
        Assert.Equal(0.01, c.Solver.BaseLr);
        Assert.Equal(["SOLVER.FANCY", "EXTRA"], c.UnknownKeys);
    }

    [Theory]
    [InlineData("SOLVER:\n  BASE_LR: fast\n", "SOLVER.BASE_LR", "a number")]
    [InlineData("SOLVER:\n  MAX_ITER: 1.5\n", "SOLVER.MAX_ITER", "an integer")]
    [InlineData("MODEL:\n  ANCHOR_SIZES: 32\n", "MODEL.ANCHOR_SIZES", "a list of numbers")]
    [InlineData("MODEL:\n  ANCHOR_SIZES: [32, big]\n", "MODEL.ANCHOR_SIZES[1]", "a number")]
    [InlineData("MODEL:\n  USE_HIGHER_LEVELS: maybe\n", "MODEL.USE_HIGHER_LEVELS", "true or false")]
    [InlineData("SOLVER: 3\n", "SOLVER", "a mapping")]
    [InlineData("SOLVER:\n  BASE_LR: '0.01'\n", "SOLVER.BASE_LR", "a number")]
    public void Parse_WrongType_ThrowsNamingKeyFileAndExpectedType(string yaml, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => PoseKDConfig.Parse(yaml, "bad.yaml"));
        Assert.Contains("bad.yaml", e.Message);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("DATASETS:\n  N_CLASS: 1\n", "DATASETS.N_CLASS")]
    [InlineData("SOLVER:\n  BASE_LR: -1\n", "SOLVER.BASE_LR")]
    [InlineData("KD:\n  GTYPE: magic\n", "KD.GTYPE")]
    [InlineData("INPUT:\n  INPUT_RES: 100\n", "INPUT.INPUT_RES")]
    [InlineData("POSEKD:\n  WORKERS: 0\n", "POSEKD.WORKERS")]
    public void Parse_OutOfRangeValue_ThrowsNamingTheKey(string yaml, string key)
    {
        var e = Assert.Throws<ConfigException>(() => PoseKDConfig.Parse(yaml, "bad.yaml"));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("bad.yaml", e.Message);
    }

    [Fact]
    public void Parse_NotYaml_ThrowsWithFileAndLine()
    {
        var e = Assert.Throws<ConfigException>(() => PoseKDConfig.Parse("SOLVER:\n  A: [1, 2\n", "broken.yaml"));
        Assert.Contains("broken.yaml", e.Message);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => PoseKDConfig.Load("/nonexistent/ape.yaml"));
}
