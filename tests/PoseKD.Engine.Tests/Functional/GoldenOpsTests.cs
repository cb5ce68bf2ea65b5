using PoseKD.Engine.Functional;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Functional;

/// <summary>
/// Compares every op with PyTorch 1.13 (fixtures from tools/golden/engine_ops.py): forward outputs and the
/// input gradients for a fixed random upstream gradient, at float32 tolerance.
/// </summary>
public class GoldenOpsTests
{
    private static readonly Lazy<Dictionary<string, NamedArray>> _arrays =
        new(() => SafeTensors.Read(Numeric.Fixture("ops/engine_ops.safetensors")));

    private static Dictionary<string, NamedArray> A => _arrays.Value;

    private static Tensor T(string key) => Tensor.FromArray((float[])A[key].Data.Clone(), A[key].IntShape);

    private static int[] I(string key) => A[key].Int64Data!.Select(v => checked((int)v)).ToArray();

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> _cases = new()
    {
        ["add_bcast"] = x => F.Add(x[0], x[1]),
        ["add_same"] = x => x[0] + x[1],
        ["add_scalar_tensor"] = x => F.Add(x[0], x[1]),
        ["sub_bcast"] = x => F.Sub(x[0], x[1]),
        ["mul_bcast"] = x => F.Mul(x[0], x[1]),
        ["div_bcast"] = x => F.Div(x[0], x[1]),
        ["add_s"] = x => x[0] + 1.5f,
        ["sub_s"] = x => x[0] - 0.7f,
        ["mul_s"] = x => x[0] * -2.5f,
        ["div_s"] = x => x[0] / 3f,
        ["rsub_s"] = x => 2f - x[0],
        ["rdiv_s"] = x => 2f / x[0],
        ["neg"] = x => -x[0],
        ["pow_2"] = x => F.Pow(x[0], 2f),
        ["pow_3"] = x => F.Pow(x[0], 3f),
        ["pow_2_5"] = x => F.Pow(x[0], 2.5f),
        ["pow_neg1"] = x => F.Pow(x[0], -1f),
        ["pow_0"] = x => F.Pow(x[0], 0f),
        ["pow_0_5"] = x => F.Pow(x[0], 0.5f),
        ["exp"] = x => F.Exp(x[0]),
        ["log"] = x => F.Log(x[0]),
        ["sqrt"] = x => F.Sqrt(x[0]),
        ["abs"] = x => F.Abs(x[0]),
        ["sigmoid"] = x => F.Sigmoid(x[0]),
        ["relu"] = x => F.Relu(x[0]),
        ["leaky_relu"] = x => F.LeakyRelu(x[0], 0.1f),
        ["clamp"] = x => F.Clamp(x[0], -1f, 1f),
        ["clamp_min"] = x => F.Clamp(x[0], min: -1f),
        ["clamp_max"] = x => F.Clamp(x[0], max: 1f),
        ["minimum_ties"] = x => F.Minimum(x[0], x[1]),
        ["maximum_ties"] = x => F.Maximum(x[0], x[1]),
        ["maximum_bcast"] = x => F.Maximum(x[0], x[1]),
        ["where_bcast"] = x => F.Where(T("where_bcast.mask"), x[0], x[1]),
        ["sum_all"] = x => F.Sum(x[0]),
        ["sum_d1"] = x => F.Sum(x[0], 1),
        ["sum_d02_keep"] = x => F.Sum(x[0], [0, 2], keepDim: true),
        ["sum_dneg1"] = x => F.Sum(x[0], -1),
        ["sum_empty"] = x => F.Sum(x[0], 0),
        ["mean_d12"] = x => F.Mean(x[0], [1, 2]),
        ["mean_all"] = x => F.Mean(x[0]),
        ["amax_d1"] = x => F.Max(x[0], 1),
        ["amax_d02_keep"] = x => F.Max(x[0], [0, 2], keepDim: true),
        ["amax_all"] = x => F.Max(x[0]),
        ["amax_ties"] = x => F.Max(x[0], 1),
        ["logsumexp_d1"] = x => F.LogSumExp(x[0], 1),
        ["logsumexp_d02_keep"] = x => F.LogSumExp(x[0], [0, 2], keepDim: true),
        ["logsumexp_big"] = x => F.LogSumExp(x[0], 1),
        ["reshape"] = x => F.Mul(F.Reshape(x[0], 4, -1), 1f),
        ["permute"] = x => F.Permute(x[0], 2, 0, 1),
        ["transpose"] = x => F.Transpose(x[0], 0, 2),
        ["narrow"] = x => F.Narrow(x[0], 1, 1, 2),
        ["concat"] = x => F.Concat(x, 1),
        ["concat_empty"] = x => F.Concat(x, 0),
        ["concat_zero_dim"] = x => F.Concat(x, 1),
        ["stack"] = x => F.Stack(x, 1),
        ["broadcast_to"] = x => F.BroadcastTo(x[0], 2, 3, 4),
        ["index_select"] = x => F.IndexSelect(x[0], 1, I("index_select.idx")),
        ["gather"] = x => F.Gather(x[0], 1, I("gather.idx"), A["gather.idx"].IntShape),
        ["scatter_add"] = x => F.ScatterAdd(x[0], 0, I("scatter_add.idx"), A["scatter_add.idx"].IntShape, x[1]),
        ["masked_select"] = x => F.MaskedSelect(x[0], T("masked_select.mask")),
        ["topk_d1"] = x => TopKChecked(x[0], "topk_d1", 2, 1, true),
        ["topk_smallest"] = x => TopKChecked(x[0], "topk_smallest", 3, -1, false),
        ["mm"] = x => F.Matmul(x[0], x[1]),
        ["bmm"] = x => F.Matmul(x[0], x[1]),
        ["matmul_bcast_a"] = x => F.Matmul(x[0], x[1]),
        ["matmul_bcast_4d"] = x => F.Matmul(x[0], x[1]),
        ["mm_k1"] = x => F.Matmul(x[0], x[1]),
        ["mm_k0"] = x => F.Matmul(x[0], x[1]),
    };

    private static Tensor TopKChecked(Tensor x, string name, int k, int dim, bool largest)
    {
        var (values, indices) = F.TopK(x, k, dim, largest);
        Assert.Equal(I(name + ".ind"), indices);
        return values;
    }

    public static TheoryData<string> Cases => new(_cases.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_TorchGolden_OutputAndGradientsMatch(string name)
    {
        var xs = new List<Tensor>();
        for (int i = 0; A.ContainsKey($"{name}.x{i}"); i++)
        {
            var t = T($"{name}.x{i}");
            t.RequiresGrad = A.ContainsKey($"{name}.gx{i}");
            xs.Add(t);
        }
        Assert.NotEmpty(xs);
        var y = _cases[name](xs.ToArray());
        var expected = A[$"{name}.out"];
        Assert.Equal(expected.IntShape, y.Shape);
        Numeric.AssertClose(expected.Data, y.Data, 1e-5, 1e-5, $"{name} output");
        if (!A.ContainsKey($"{name}.gout")) return;
        y.Backward(T($"{name}.gout"));
        for (int i = 0; i < xs.Count; i++)
        {
            if (!A.TryGetValue($"{name}.gx{i}", out var g)) continue;
            var actual = xs[i].Grad?.Data ?? new float[xs[i].Numel];
            Numeric.AssertClose(g.Data, actual, 1e-5, 1e-5, $"{name} gradient of input {i}");
        }
    }

    [Fact]
    public void Fixture_EveryCase_HasATest()
    {
        var fixtureCases = A.Keys.Where(k => k.EndsWith(".out", StringComparison.Ordinal)).Select(k => k[..^4]).ToHashSet();
        Assert.Empty(fixtureCases.Except(_cases.Keys));
        Assert.Empty(_cases.Keys.Except(fixtureCases));
    }

    [Fact]
    public void Argmax_TorchGolden_Matches()
    {
        var x = T("argmax.x0");
        Assert.Equal(I("argmax.ind"), F.Argmax(x, 1));
        Assert.Equal(I("argmax_d0.ind"), F.Argmax(x, 0));
    }

    [Fact]
    public void Nonzero_TorchGolden_Matches()
    {
        var nz = F.Nonzero(T("nonzero.x0"));
        var expected = I("nonzero.ind");
        Assert.Equal(A["nonzero.ind"].IntShape, new[] { nz.GetLength(0), nz.GetLength(1) });
        Assert.Equal(expected, nz.Cast<int>().ToArray());
    }
}
