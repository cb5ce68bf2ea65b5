using PoseKD.Inference.Configuration;
using PoseKD.Inference.Onnx;

namespace PoseKD.Inference.Tests.Configuration;

public sealed class DeploymentConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("posekd_cfg_").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string yaml)
    {
        var p = Path.Combine(_dir, $"c{Guid.NewGuid():N}.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    // The shape of the reference's configs/ape.yaml (flow mapping with a comment, quoted strings, unknown keys).
    private const string ApeLike = """
        MODEL:
          BACKBONE: 'darknet_tiny_h'
          ANCHOR_SIZES: [32, 64, 128, 256, 512]
          ANCHOR_STRIDES: [8, 16, 32, 64, 128]
        DATASETS:
          TRAIN: './data/linemod/000001_train.txt'
          BBOX_FILE: './no/such/linemod_bbox.json'
          SYMMETRY_TYPES: { # class IDs start from 0
            "cls_9":['X',180,'Y',180,'Z',180],
            "cls_10":['Z',180]
          }
          N_CLASS: 16
        INPUT:
          INTERNAL_WIDTH: 640
          INTERNAL_HEIGHT: 480
          INTERNAL_K: [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1]
          minT: [[-794.3663, -648.9373,  262.1463]]
        SOLVER:
          IMS_PER_BATCH: 16
        TEST:
          CONFIDENCE_TH: 0.1
        """;

    [Fact]
    public void Read_ReferenceApeLayout_GivesTheReferenceNetworkAndDecoding()
    {
        var c = DeploymentConfig.Read(Write(ApeLike));
        Assert.Equal("darknet_tiny_h", c.Network.Backbone);
        Assert.Equal(128, c.Network.OutChannel);
        Assert.Equal([0, 0, 64, 64], c.Network.FeatChannels);
        Assert.Equal(16, c.Network.NClass);
        Assert.Equal([8, 16, 32, 64], c.Metadata.LevelStrides);
        Assert.Equal([32, 64, 128, 256, 512], c.Metadata.AnchorSizes);
        Assert.Equal(["X", "180", "Y", "180", "Z", "180"], c.Metadata.SymmetryTypes[9]);
        Assert.Equal(["Z", "180"], c.Metadata.SymmetryTypes[10]);
        Assert.Equal(256, c.Metadata.InputRes);
        Assert.Empty(c.Metadata.Keypoints3d);
        Assert.Null(c.BboxFile);
    }

    [Fact]
    public void Read_BackboneOverride_TakesThatBackbonesDefaults()
    {
        var c = DeploymentConfig.Read(Write(ApeLike), "darknet53");
        Assert.Equal([0, 0, 256, 512, 1024], c.Network.FeatChannels);
        Assert.Equal([8, 16, 32, 64, 128], c.Metadata.LevelStrides);
    }

    [Fact]
    public void Read_BadValues_ThrowFormatExceptionsNamingFileAndKey()
    {
        var e1 = Assert.Throws<FormatException>(() => DeploymentConfig.Read(Write("DATASETS:\n  N_CLASS: many\n")));
        Assert.Contains("DATASETS.N_CLASS", e1.Message);
        var e2 = Assert.Throws<FormatException>(() => DeploymentConfig.Read(Write("INPUT:\n  INTERNAL_K: [1, 2]\n")));
        Assert.Contains("INTERNAL_K", e2.Message);
        var e3 = Assert.Throws<FormatException>(() => DeploymentConfig.Read(Write("MODEL: [\n")));
        Assert.Contains("invalid YAML", e3.Message);
        Assert.Throws<FileNotFoundException>(() => DeploymentConfig.Read(Path.Combine(_dir, "absent.yaml")));
    }

    [Fact]
    public void Metadata_RoundTripsThroughProperties()
    {
        var m = DeploymentConfig.Read(Write(ApeLike)).Metadata with { Keypoints3d = [Enumerable.Range(0, 24).Select(i => i * 1.5).ToArray()] };
        var back = PoseModelMetadata.FromProperties(m.ToProperties(), "test");
        Assert.Equal(m.LevelStrides, back.LevelStrides);
        Assert.Equal(m.AnchorStrides, back.AnchorStrides);
        Assert.Equal(m.InternalK, back.InternalK);
        Assert.Equal(m.PixelStd, back.PixelStd);
        Assert.Equal(m.Keypoints3d[0], back.Keypoints3d[0]);
        Assert.Equal(m.SymmetryTypes[9], back.SymmetryTypes[9]);
        var props = m.ToProperties().ToDictionary(p => p.Key, p => p.Value);
        props["posekd.internal_k"] = "1,2,x";
        Assert.Contains("posekd.internal_k", Assert.Throws<FormatException>(() => PoseModelMetadata.FromProperties(props, "m.onnx")).Message);
    }
}
