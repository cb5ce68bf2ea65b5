using PoseKD.Engine.Nn;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Nn;

public class ModuleTests
{
    /// <summary>A layer with a weight, an optional bias, a float buffer and an int64 buffer.</summary>
    private sealed class Affine : Layer
    {
        public Affine(int n, bool bias)
        {
            Weight = RegisterParameter("weight", Tensor.Full(2f, n))!;
            Bias = RegisterParameter("bias", bias ? Tensor.Zeros(n) : null);
            Stat = RegisterBuffer("running_mean", Tensor.Zeros(n));
            Count = RegisterBuffer("num_batches_tracked", new Int64Buffer());
        }

        public Tensor Weight { get; }
        public Tensor? Bias { get; }
        public Tensor Stat { get; }
        public Int64Buffer Count { get; }

        public override Tensor Forward(Tensor input)
        {
            if (Training) Count.Value++;
            var y = input * Weight;
            return Bias is null ? y : y + Bias;
        }
    }

    private sealed class Block : Layer
    {
        public Block()
        {
            Conv = RegisterModule("conv", new Affine(3, bias: false));
            Bn = RegisterModule("bn", new Affine(3, bias: true));
            Activ = RegisterModule("activ", new LeakyReLU(0.1f));
        }

        public Affine Conv { get; }
        public Affine Bn { get; }
        public LeakyReLU Activ { get; }

        public override Tensor Forward(Tensor input) => Activ.Forward(Bn.Forward(Conv.Forward(input)));
    }

    private sealed class Net : Module
    {
        public Net()
        {
            Features = RegisterModule("features", new Sequential().Add("stage1", new Sequential().Add("unit1", new Block()).Add("pool1", new ReLU())));
            Scales = RegisterModule("scales", new ModuleList<Scale>(new Scale(1f), new Scale(2f)));
        }

        public Sequential Features { get; }
        public ModuleList<Scale> Scales { get; }
    }

    private static readonly string[] NetKeys =
    [
        "features.stage1.unit1.conv.weight", "features.stage1.unit1.conv.running_mean", "features.stage1.unit1.conv.num_batches_tracked",
        "features.stage1.unit1.bn.weight", "features.stage1.unit1.bn.bias", "features.stage1.unit1.bn.running_mean",
        "features.stage1.unit1.bn.num_batches_tracked", "scales.0.scale", "scales.1.scale",
    ];

    [Fact]
    public void StateDict_NestedModules_HasTorchDottedKeysInOrder()
    {
        var net = new Net();
        Assert.Equal(NetKeys, net.StateDict().Keys.ToArray());
        Assert.Equal(NetKeys, net.StateDictKeys().ToArray());
        var sd = net.StateDict();
        Assert.Equal("I64", sd["features.stage1.unit1.bn.num_batches_tracked"].DType);
        Assert.Empty(sd["features.stage1.unit1.bn.num_batches_tracked"].Shape);
        Assert.Equal([1L], sd["scales.0.scale"].Shape);
    }

    [Fact]
    public void NamedParameters_SkipsAbsentBiasAndBuffers()
    {
        var names = new Net().NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(["features.stage1.unit1.conv.weight", "features.stage1.unit1.bn.weight", "features.stage1.unit1.bn.bias", "scales.0.scale", "scales.1.scale"], names);
        Assert.All(new Net().Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void TrainEval_SetsModeRecursively()
    {
        var net = new Net();
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.Training));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.Training));
    }

    [Fact]
    public void LoadStateDict_Strict_CopiesValuesInPlaceIncludingInt64Buffers()
    {
        var src = new Net();
        var block = (Block)((Sequential)src.Features[0])[0];
        block.Conv.Weight.Data[1] = 7f;
        block.Bn.Count.Value = 42;
        src.Scales[1].Value.Data[0] = -3f;
        var dst = new Net();
        var weightRef = ((Block)((Sequential)dst.Features[0])[0]).Conv.Weight;
        var result = dst.LoadStateDict(src.StateDict());
        Assert.True(result.IsExact);
        Assert.Equal(7f, weightRef.Data[1]);
        Assert.Equal(42, ((Block)((Sequential)dst.Features[0])[0]).Bn.Count.Value);
        Assert.Equal(-3f, dst.Scales[1].Value.Data[0]);
    }

    [Fact]
    public void LoadStateDict_LooseWithExtraAndMissingKeys_LoadsMatchingAndReports()
    {
        var sd = new Net().StateDict();
        sd.Remove("scales.1.scale");
        sd["scales.0.scale"] = NamedArray.FromFloats([5f], 1);
        sd["head.extra"] = NamedArray.FromFloats([1f], 1);
        var dst = new Net();
        var r = dst.LoadStateDict(sd, strict: false);
        Assert.Equal(["scales.1.scale"], r.MissingKeys);
        Assert.Equal(["head.extra"], r.UnexpectedKeys);
        Assert.Equal(5f, dst.Scales[0].Value.Data[0]);
        Assert.Throws<ArgumentException>(() => new Net().LoadStateDict(sd, strict: true));
    }

    [Fact]
    public void LoadStateDict_ShapeMismatch_ThrowsWithBothShapesAndChangesNothing()
    {
        var sd = new Net().StateDict();
        sd["scales.0.scale"] = NamedArray.FromFloats([9f], 1);
        sd["features.stage1.unit1.bn.weight"] = NamedArray.FromFloats(new float[4], 4);
        var dst = new Net();
        var e = Assert.Throws<ArgumentException>(() => dst.LoadStateDict(sd, strict: false));
        Assert.Contains("features.stage1.unit1.bn.weight", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Equal(1f, dst.Scales[0].Value.Data[0]);
    }

    [Fact]
    public void ZeroGrad_AfterBackward_ClearsAllGradients()
    {
        var net = new Block();
        var x = Tensor.FromArray([1f, -2f, 3f], 3);
        F(net.Forward(x)).Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        // z = bn.w·(conv.w·x) = 4x = [4, −8, 12]; ∂Σleaky(z)/∂conv.w = bn.w·x·leaky'(z) = [2, −0.4, 6].
        Numeric.AssertClose(new[] { 2f, -0.4f, 6f }, net.Conv.Weight.Grad!.Data, 1e-6, 1e-6);
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
        Assert.Equal(1, net.Conv.Count.Value);
    }

    private static Tensor F(Tensor y) => PoseKD.Engine.Functional.F.Sum(y);

    [Fact]
    public void RegisterModule_DuplicateOrDottedName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Sequential().Add("a", new ReLU()).Add("a", new ReLU()));
        Assert.Throws<ArgumentException>(() => new Sequential().Add("a.b", new ReLU()));
    }

    [Fact]
    public void Sequential_Forward_ChainsLayersAndScaleMultiplies()
    {
        var seq = new Sequential(new Scale(2f), new LeakyReLU(0.1f), new Scale(3f));
        Assert.Equal(["0.scale", "2.scale"], seq.StateDict().Keys.ToArray());
        var y = seq.Forward(Tensor.FromArray([1f, -1f], 2));
        Numeric.AssertClose(new[] { 6f, -0.6f }, y.Data, 1e-6, 1e-6);
    }
}
