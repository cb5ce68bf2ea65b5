using PoseKD.Engine.Autograd;
using PoseKD.Engine.Ot;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Ot;

/// <summary>Mathematical properties of the Sinkhorn divergence and kernel losses, gradient checks and input guards.</summary>
public sealed class SamplesLossPropertyTests
{
    private static readonly SamplesLossOptions Balanced = new() { Blur = 0.05 };
    private static readonly SamplesLossOptions Unbalanced = new() { Blur = 0.01, Reach = 0.5 };
    private static readonly SamplesLossOptions Kd = new() { Blur = 0.001, Reach = 0.5, Scaling = 0.5 };

    public static TheoryData<string> OptionNames() => new() { "balanced", "unbalanced", "kd", "balanced_p1", "gaussian", "energy" };

    private static SamplesLossOptions Named(string name) => name switch
    {
        "balanced" => Balanced,
        "unbalanced" => Unbalanced,
        "kd" => Kd,
        "balanced_p1" => Balanced with { P = 1 },
        "gaussian" => new SamplesLossOptions { Kind = SamplesLossKind.Gaussian, Blur = 0.2 },
        "energy" => new SamplesLossOptions { Kind = SamplesLossKind.Energy },
        _ => throw new ArgumentException(name),
    };

    private static (Tensor A, Tensor X) Cloud(Generator gen, int b, int n, bool normalise = true, float offset = 0f)
    {
        var x = Tensor.Rand(gen, b, n, 2);
        for (int i = 0; i < x.Numel; i++) x.Data[i] += offset;
        var a = Tensor.Rand(gen, b, n);
        for (int i = 0; i < a.Numel; i++) a.Data[i] = 0.05f + a.Data[i];
        if (normalise)
            for (int p = 0; p < b; p++)
            {
                float s = 0;
                for (int i = 0; i < n; i++) s += a.Data[p * n + i];
                for (int i = 0; i < n; i++) a.Data[p * n + i] /= s;
            }
        return (a, x);
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Compute_CloudWithItself_IsZero(string name)
    {
        var gen = new Generator(1);
        var (a, x) = Cloud(gen, 4, 7);
        var s = SamplesLoss.Compute(a, x, a, x, Named(name));
        Numeric.AssertClose(new float[4], s.Data, atol: 1e-6, rtol: 0, what: name);
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Compute_SwappedArguments_IsSymmetric(string name)
    {
        var gen = new Generator(2);
        var (a, x) = Cloud(gen, 4, 6);
        var (b, y) = Cloud(gen, 4, 9);
        var s1 = SamplesLoss.Compute(a, x, b, y, Named(name));
        var s2 = SamplesLoss.Compute(b, y, a, x, Named(name));
        Numeric.AssertClose(s1.Data, s2.Data, atol: 1e-6, rtol: 1e-5, what: name);
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Compute_RandomClouds_IsNonNegative(string name)
    {
        var gen = new Generator(3);
        var (a, x) = Cloud(gen, 16, 5);
        var (b, y) = Cloud(gen, 16, 8);
        var s = SamplesLoss.Compute(a, x, b, y, Named(name));
        Assert.All(s.Data, v => Assert.True(v >= -1e-6f, $"{name}: divergence {v} < 0"));
        Assert.Contains(s.Data, v => v > 1e-4f);
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Compute_CommonTranslation_LeavesValueUnchanged(string name)
    {
        var gen = new Generator(4);
        var (a, x) = Cloud(gen, 4, 6);
        var (b, y) = Cloud(gen, 4, 5);
        var s1 = SamplesLoss.Compute(a, x, b, y, Named(name));
        var shift = Tensor.FromArray([0.25f, -0.5f], 2);
        var s2 = SamplesLoss.Compute(a, x + shift, b, y + shift, Named(name));
        Numeric.AssertClose(s1.Data, s2.Data, atol: 2e-5, rtol: 1e-4, what: name);
    }

    [Fact]
    public void Compute_PackedLayoutWithGroups_EqualsSeparateDenseCalls()
    {
        var gen = new Generator(5);
        // two groups (images) of 3 problems each, with different cloud sizes per group
        var (a1, x1) = Cloud(gen, 3, 4, normalise: false);
        var (b1, y1) = Cloud(gen, 3, 6, normalise: false);
        var (a2, x2) = Cloud(gen, 3, 7, normalise: false, offset: 2f);
        var (b2, y2) = Cloud(gen, 3, 2, normalise: false, offset: 2f);
        var d1 = SamplesLoss.Compute(a1, x1, b1, y1, Kd);
        var d2 = SamplesLoss.Compute(a2, x2, b2, y2, Kd);
        var layout = new CloudBatchLayout([4, 4, 4, 7, 7, 7], [6, 6, 6, 2, 2, 2], [0, 0, 0, 1, 1, 1]);
        var packed = SamplesLoss.Compute(
            Concat(a1.Reshape(-1), a2.Reshape(-1)), Concat(x1.Reshape(-1, 2), x2.Reshape(-1, 2)),
            Concat(b1.Reshape(-1), b2.Reshape(-1)), Concat(y1.Reshape(-1, 2), y2.Reshape(-1, 2)), layout, Kd);
        Numeric.AssertClose(d1.Data.Concat(d2.Data).ToArray(), packed.Data, atol: 0, rtol: 0, what: "packed vs dense");
    }

    private static Tensor Concat(Tensor a, Tensor b) => PoseKD.Engine.Functional.F.Concat([a, b]);

    [Theory]
    [InlineData(2, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(1, true)]
    public void Backward_ConvergedModerateEpsilon_MatchesFiniteDifferencesInPositions(int p, bool unbalanced)
    {
        // geomloss's point gradient is the envelope-theorem gradient of the converged problem, times
        // (ρ + ε/2)/(ρ + ε) when unbalanced (see SamplesLoss). A fixed diameter keeps the ε-schedule independent of
        // the perturbed positions; a moderate ε and a fine ε-scaling make the iterations converge.
        double blur = 0.5, reach = 1.0;
        var options = new SamplesLossOptions { P = p, Blur = blur, Scaling = 0.99, Diameter = 2.0, Reach = unbalanced ? reach : null };
        double eps = Math.Pow(blur, p), rho = Math.Pow(reach, p);
        double factor = unbalanced ? (rho + eps / 2) / (rho + eps) : 1.0;
        var gen = new Generator(6);
        var (a, x) = Cloud(gen, 2, 5);
        var (b, y) = Cloud(gen, 2, 4);
        x.RequiresGrad = true;
        y.RequiresGrad = true;
        var seed = Tensor.FromArray([0.7f, -1.3f], 2);
        SamplesLoss.Compute(a, x, b, y, options).Backward(seed);
        foreach (var (t, name) in new[] { (x, "x"), (y, "y") })
        {
            var numeric = new float[t.Numel];
            for (int i = 0; i < t.Numel; i++)
            {
                const float h = 1e-3f;
                float keep = t.Data[i];
                t.Data[i] = keep + h;
                double up = Eval();
                t.Data[i] = keep - h;
                double down = Eval();
                t.Data[i] = keep;
                numeric[i] = (float)((up - down) / (2 * h) * factor);
            }
            Numeric.AssertClose(numeric, t.Grad!.Data, atol: 3e-4, rtol: 3e-3, what: $"∂S/∂{name} (p {p}, unbalanced {unbalanced})");
        }

        double Eval()
        {
            using var _ = GradMode.NoGrad();
            var v = SamplesLoss.Compute(a, x, b, y, options);
            return 0.7 * v.Data[0] - 1.3 * v.Data[1];
        }
    }

    [Fact]
    public void Backward_BalancedMassPreservingWeightShift_MatchesFiniteDifference()
    {
        // balanced: ∂S/∂α is defined up to a constant (the mass constraint); compare along α_0 += h, α_1 −= h.
        var options = new SamplesLossOptions { Blur = 0.5, Scaling = 0.95 };
        var gen = new Generator(7);
        var (a, x) = Cloud(gen, 1, 5);
        var (b, y) = Cloud(gen, 1, 4);
        a.RequiresGrad = true;
        SamplesLoss.Compute(a, x, b, y, options).Sum().Backward();
        double analytic = a.Grad!.Data[0] - a.Grad.Data[1];
        const float h = 1e-3f;
        double Eval(float delta)
        {
            var ap = Tensor.FromArray((float[])a.Data.Clone(), a.Shape);
            ap.Data[0] += delta;
            ap.Data[1] -= delta;
            using var _ = GradMode.NoGrad();
            return SamplesLoss.Compute(ap, x, b, y, options).Item();
        }
        double numeric = (Eval(h) - Eval(-h)) / (2 * h);
        Numeric.AssertClose(numeric, analytic, atol: 2e-4, rtol: 5e-3, what: "mass-preserving weight derivative");
    }

    [Theory]
    [InlineData(SamplesLossKind.Gaussian)]
    [InlineData(SamplesLossKind.Laplacian)]
    [InlineData(SamplesLossKind.Energy)]
    public void Backward_KernelLoss_MatchesFiniteDifferences(SamplesLossKind kind)
    {
        var options = new SamplesLossOptions { Kind = kind, Blur = 0.4 };
        var gen = new Generator(8);
        var (a, x) = Cloud(gen, 2, 4, normalise: false);
        var (b, y) = Cloud(gen, 2, 3, normalise: false);
        GradCheck.Check(t => SamplesLoss.Compute(t[0], t[1], t[2], t[3], options), [a, x, b, y], eps: 1e-2, atol: 2e-4, rtol: 2e-3);
    }

    [Fact]
    public void Compute_AllZeroWeightsOnOneSide_ThrowsNamingTheProblem()
    {
        var gen = new Generator(9);
        var (a, x) = Cloud(gen, 2, 5);
        var (b, y) = Cloud(gen, 2, 4);
        for (int j = 4; j < 8; j++) b.Data[j] = 0;
        var ex = Assert.Throws<ArgumentException>(() => SamplesLoss.Compute(a, x, b, y, Kd));
        Assert.Contains("problem 1", ex.Message);
    }

    [Fact]
    public void Compute_SomeZeroWeights_IsFiniteWithFiniteGradients()
    {
        var gen = new Generator(9);
        var (a, x) = Cloud(gen, 2, 5, normalise: false);
        var (b, y) = Cloud(gen, 2, 4, normalise: false);
        a.Data[0] = 0;
        b.Data[5] = 0;
        a.RequiresGrad = true;
        x.RequiresGrad = true;
        b.RequiresGrad = true;
        y.RequiresGrad = true;
        foreach (var o in new[] { Balanced, Unbalanced, Kd })
        {
            a.Grad = x.Grad = b.Grad = y.Grad = null;
            var s = SamplesLoss.Compute(a, x, b, y, o);
            Assert.All(s.Data, v => Assert.True(float.IsFinite(v)));
            s.Sum().Backward();
            foreach (var t in new[] { a, x, b, y }) Assert.All(t.Grad!.Data, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Compute_AllPointsAtOnePlace_IsFiniteAndZero()
    {
        // diameter 0 (geomloss fails on log 0): the schedule starts at blur
        var x = Tensor.FromArray([0.5f, 0.5f], 1, 1, 2);
        var a = Tensor.FromArray([0.7f], 1, 1);
        x.RequiresGrad = true;
        var s = SamplesLoss.Compute(a, x, a, x, Kd);
        Assert.Equal(0f, s.Item(), 6);
        s.Backward();
        Assert.All(x.Grad!.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Compute_EmptyCloud_ThrowsNamingTheProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CloudBatchLayout([3, 0], [2, 2]));
        Assert.Contains("problem 1", ex.Message);
    }

    [Fact]
    public void Compute_NonFiniteCoordinateOrNegativeWeight_Throws()
    {
        var gen = new Generator(10);
        var (a, x) = Cloud(gen, 1, 3);
        var bad = Tensor.FromArray((float[])x.Data.Clone(), x.Shape);
        bad.Data[2] = float.NaN;
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => SamplesLoss.Compute(a, bad, a, x, Kd)).Message);
        var neg = Tensor.FromArray((float[])a.Data.Clone(), a.Shape);
        neg.Data[1] = -0.1f;
        Assert.Contains("≥ 0", Assert.Throws<ArgumentException>(() => SamplesLoss.Compute(neg, x, a, x, Kd)).Message);
    }

    [Fact]
    public void Compute_MismatchedShapes_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            SamplesLoss.Compute(Tensor.Ones(2, 3), Tensor.Zeros(2, 3, 2), Tensor.Ones(2, 4), Tensor.Zeros(2, 5, 2), Kd));
        Assert.Contains("[2, 5, 2]", ex.Message.Replace("×", ", "));
    }

    [Fact]
    public void Options_InvalidField_ThrowsNamingIt()
    {
        Assert.Contains("P", Assert.Throws<ArgumentException>(() => new SamplesLossOptions { P = 3 }.Validate()).Message);
        Assert.Contains("Scaling", Assert.Throws<ArgumentException>(() => new SamplesLossOptions { Scaling = 1.0 }.Validate()).Message);
        Assert.Contains("Reach", Assert.Throws<ArgumentException>(() => new SamplesLossOptions { Reach = 0 }.Validate()).Message);
    }

    [Fact]
    public void EpsilonSchedule_DiameterAboveBlur_DescendsByScalingPowers()
    {
        var eps = SinkhornKernels.EpsilonSchedule(2, 1.0, 0.001, 0.5);
        // [1] + exp(arange(0, 2 ln 0.001, 2 ln 0.5)) (10 values: 1, 1/4, …, 4^-9) + [1e-6]
        Assert.Equal(12, eps.Length);
        Assert.Equal(1.0, eps[0]);
        Assert.Equal(1.0, eps[1], 12);
        Assert.Equal(Math.Pow(0.25, 9), eps[10], 12);
        Assert.Equal(1e-6, eps[11], 15);
        Assert.Equal([4.0, 1e-6], SinkhornKernels.EpsilonSchedule(2, 2.0, 1e-3, 0.5)[..1].Concat([1e-6]).ToArray());
        Assert.Equal(2, SinkhornKernels.EpsilonSchedule(2, 1e-4, 1e-3, 0.5).Length);
    }
}
