using PoseKD.Data.Transforms;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Cameras;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;
using PoseKD.TestSupport;

namespace PoseKD.Model.Tests.Losses;

/// <summary>Reads a golden file written by tools/golden/model_heads_reference.py (two images, 3 classes, 4 levels, 256 px).</summary>
internal sealed class HeadFixture
{
    public const int Size = 256, Classes = 3, Levels = 4, Batch = 2;

    public Dictionary<string, NamedArray> Arrays { get; }

    public double[][] Keypoints3d { get; }

    public double[] K { get; }

    public Sample[] Samples { get; }

    public HeadFixture(string name)
    {
        Arrays = SafeTensors.Read(Numeric.Fixture(Path.Combine("heads", name)));
        var kp = Arrays["keypoints_3d"].Data;
        Keypoints3d = Enumerable.Range(0, Classes).Select(c => kp.Skip(24 * c).Take(24).Select(v => (double)v).ToArray()).ToArray();
        K = D("K");
        Samples = Enumerable.Range(0, Batch).Select(MakeSample).ToArray();
    }

    public double[] D(string key) => Arrays[key].Data.Select(v => (double)v).ToArray();

    public float[] F32(string key) => Arrays[key].Data;

    public long[] I64(string key) => Arrays[key].Int64Data!;

    public Tensor T(string key) => Tensor.FromArray((float[])Arrays[key].Data.Clone(), Arrays[key].Shape.Select(v => (int)v).ToArray());

    public PoseNetOutput Output(bool requiresGrad)
    {
        var cls = new List<Tensor>();
        var reg = new List<Tensor>();
        for (int k = 0; k < Levels; k++)
        {
            var c = T($"cls{k}"); var r = T($"reg{k}");
            c.RequiresGrad = requiresGrad; r.RequiresGrad = requiresGrad;
            cls.Add(c); reg.Add(r);
        }
        return new PoseNetOutput([], cls, reg);
    }

    public static HeadOptions Options => new() { AnchorSizes = [32, 64, 128, 256, 512], AnchorStrides = [8, 16, 32, 64, 128] };

    private Sample MakeSample(int b)
    {
        int cls = (int)I64($"img{b}.class")[0];
        var r = D($"img{b}.R");
        var t = D($"img{b}.T");
        var trans = D($"img{b}.bbox_trans");
        var mask = F32($"img{b}.mask").Select(v => (byte)v).ToArray();
        var px = new double[16];
        Camera.Project(r, t, K, Keypoints3d[cls], px);
        Affine2D.Apply(trans, px, px);
        return new Sample
        {
            Image = new float[3 * Size * Size], Size = Size, Labels = mask, ClassIds = [cls], R = [r], T = [t], K = K,
            BboxTrans = trans, BboxScale = 1, Keypoints = [px], Path = $"golden-{b}", OriginalK = K,
            OriginalR = [r], OriginalT = [t],
        };
    }
}
