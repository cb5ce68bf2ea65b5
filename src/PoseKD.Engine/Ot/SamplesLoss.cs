using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Ot;

/// <summary>
/// Discrepancies between weighted point clouds, batched over independent problems — geomloss 0.2.4's
/// <c>SamplesLoss</c> (backend "tensorized") re-implemented on span kernels, with its autograd behaviour.
/// <para><b>Sinkhorn</b> (<see cref="SinkhornKernels"/>): with cost C, ε = blurᵖ, ρ = reachᵖ,
/// OT_ε,ρ(α, β) = max over dual potentials (f, g) of −ρ⟨α, e^(−f/ρ) − 1⟩ − ρ⟨β, e^(−g/ρ) − 1⟩ − ε⟨α⊗β, e^((f⊕g − C)/ε) − 1⟩
/// (balanced: ⟨α, f⟩ + ⟨β, g⟩). Debiased, S = OT(α, β) − ½OT(α, α) − ½OT(β, β) evaluated from the potentials as
/// geomloss does: balanced ⟨α, f_ab − f_aa⟩ + ⟨β, g_ab − g_bb⟩; unbalanced
/// ⟨α, (ρ + ε/2)(e^(−f_aa/ρ) − e^(−f_ab/ρ))⟩ + ⟨β, (ρ + ε/2)(e^(−g_bb/ρ) − e^(−g_ab/ρ))⟩.
/// The potentials come from log-domain ε-scaling iterations run without gradient; the gradient flows only
/// through one last extrapolation step from the converged potentials, in the first point argument of each
/// cost matrix, and through the weights in the outer products ⟨α, ·⟩, ⟨β, ·⟩ — exactly what geomloss's
/// autograd differentiates (so ∂S/∂α_i is the per-point term, and ∂S/∂x_i = α_i·∇f(x_i) − …).</para>
/// <para><b>Kernel</b> losses (<see cref="KernelLossKernels"/>): ½‖α − β‖²_k, gradient of the full expression.</para>
/// <para>Weights must be ≥ 0 and finite (zero-weight points take log-weight −10⁵, as in geomloss, and add nothing to the
/// value); positions finite; every cloud non-empty and of positive total weight (an all-zero cloud has infinite dual
/// potentials: geomloss returns NaN there, this throws). All arithmetic is double; results are float32.</para>
/// <para>Note on the unbalanced gradient: geomloss 0.2.4 scales ⟨α, ·⟩ by (ρ + ε/2) in the forward pass and its
/// autograd differentiates that product as written, so its point gradients are the envelope-theorem gradient of the
/// divergence times (ρ + ε/2)/(ρ + ε) (λ = ρ/(ρ + ε) from the damped last step). This class reproduces geomloss; for
/// the distillation setting (ε = 10⁻⁶, ρ = 0.25) the factor is 1 − 2·10⁻⁶.</para>
/// </summary>
public static class SamplesLoss
{
    /// <summary>Largest point dimension D accepted.</summary>
    public const int MaxDimension = 64;

    /// <summary>
    /// Dense batch, as geomloss's <c>SamplesLoss(...)(α, x, β, y)</c> with (B, N), (B, N, D), (B, M), (B, M, D)
    /// tensors: returns the [B] losses. The ε-schedule of all B problems comes from one diameter over all
    /// their points, as geomloss computes it for one call.
    /// </summary>
    public static Tensor Compute(Tensor alpha, Tensor x, Tensor beta, Tensor y, SamplesLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(beta);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank != 3 || y.Rank != 3 || alpha.Rank != 2 || beta.Rank != 2)
            throw new ArgumentException($"SamplesLoss expects α [B,N], x [B,N,D], β [B,M], y [B,M,D]; got α {Shapes.Format(alpha.Shape)}, x {Shapes.Format(x.Shape)}, β {Shapes.Format(beta.Shape)}, y {Shapes.Format(y.Shape)}");
        int b = x.Shape[0], n = x.Shape[1], m = y.Shape[1], d = x.Shape[2];
        if (y.Shape[0] != b || y.Shape[2] != d || alpha.Shape[0] != b || alpha.Shape[1] != n || beta.Shape[0] != b || beta.Shape[1] != m)
            throw new ArgumentException($"SamplesLoss shapes disagree: α {Shapes.Format(alpha.Shape)}, x {Shapes.Format(x.Shape)}, β {Shapes.Format(beta.Shape)}, y {Shapes.Format(y.Shape)}");
        var layout = CloudBatchLayout.Dense(b, n, m);
        return Compute(alpha.Reshape(b * n), x.Reshape(b * n, d), beta.Reshape(b * m), y.Reshape(b * m, d), layout, options);
    }

    /// <summary>
    /// Packed batch of problems of different sizes (see <see cref="CloudBatchLayout"/>): α [ΣN], x [ΣN, D],
    /// β [ΣM], y [ΣM, D]. Returns the [B] losses; differentiable in all four inputs.
    /// </summary>
    public static Tensor Compute(Tensor alpha, Tensor x, Tensor beta, Tensor y, CloudBatchLayout layout, SamplesLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(beta);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (x.Rank != 2 || y.Rank != 2 || alpha.Rank != 1 || beta.Rank != 1)
            throw new ArgumentException($"packed SamplesLoss expects α [ΣN], x [ΣN,D], β [ΣM], y [ΣM,D]; got α {Shapes.Format(alpha.Shape)}, x {Shapes.Format(x.Shape)}, β {Shapes.Format(beta.Shape)}, y {Shapes.Format(y.Shape)}");
        int d = x.Shape[1];
        if (y.Shape[1] != d) throw new ArgumentException($"SamplesLoss: x {Shapes.Format(x.Shape)} and y {Shapes.Format(y.Shape)} have different point dimensions");
        if (d < 1 || d > MaxDimension) throw new ArgumentException($"SamplesLoss: point dimension {d} must lie in [1, {MaxDimension}]");
        if (x.Shape[0] != layout.TotalX || alpha.Shape[0] != layout.TotalX)
            throw new ArgumentException($"SamplesLoss: layout has {layout.TotalX} source points but x is {Shapes.Format(x.Shape)} and α {Shapes.Format(alpha.Shape)}");
        if (y.Shape[0] != layout.TotalY || beta.Shape[0] != layout.TotalY)
            throw new ArgumentException($"SamplesLoss: layout has {layout.TotalY} target points but y is {Shapes.Format(y.Shape)} and β {Shapes.Format(beta.Shape)}");
        CheckFinite(x.Data, "x");
        CheckFinite(y.Data, "y");
        CheckWeights(alpha.Data, "α");
        CheckWeights(beta.Data, "β");
        for (int b = 0; b < layout.Count; b++)
        {
            if (!HasMass(alpha.Data.AsSpan(layout.XOffset(b), layout.XCounts[b])) || !HasMass(beta.Data.AsSpan(layout.YOffset(b), layout.YCounts[b])))
                throw new ArgumentException($"SamplesLoss: problem {b} has a cloud whose weights are all zero; its dual potentials (and the divergence's gradient) are infinite — drop the problem or give the cloud mass");
        }

        return options.Kind == SamplesLossKind.Sinkhorn
            ? SinkhornForward(alpha, x, beta, y, layout, options, d)
            : KernelForward(alpha, x, beta, y, layout, options, d);
    }

    /// <summary>
    /// The diameter geomloss derives for a group of problems: the length of the diagonal of the bounding box of
    /// all their source and target points.
    /// </summary>
    public static double[] GroupDiameters(ReadOnlySpan<float> x, ReadOnlySpan<float> y, CloudBatchLayout layout, int d, out int[] groupIndex)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var ids = layout.DiameterGroups.Distinct().OrderBy(g => g).ToArray();
        var map = new Dictionary<int, int>();
        for (int i = 0; i < ids.Length; i++) map[ids[i]] = i;
        groupIndex = layout.DiameterGroups.Select(g => map[g]).ToArray();
        var lo = new double[ids.Length * d];
        var hi = new double[ids.Length * d];
        Array.Fill(lo, double.PositiveInfinity);
        Array.Fill(hi, double.NegativeInfinity);
        for (int b = 0; b < layout.Count; b++)
        {
            int g = groupIndex[b];
            Extend(x.Slice(layout.XOffset(b) * d, layout.XCounts[b] * d), lo.AsSpan(g * d, d), hi.AsSpan(g * d, d), d);
            Extend(y.Slice(layout.YOffset(b) * d, layout.YCounts[b] * d), lo.AsSpan(g * d, d), hi.AsSpan(g * d, d), d);
        }
        var diam = new double[ids.Length];
        for (int g = 0; g < ids.Length; g++)
        {
            double s = 0;
            for (int k = 0; k < d; k++) { double t = hi[g * d + k] - lo[g * d + k]; s += t * t; }
            diam[g] = Math.Sqrt(s);
        }
        return diam;
    }

    private static void Extend(ReadOnlySpan<float> pts, Span<double> lo, Span<double> hi, int d)
    {
        for (int i = 0; i < pts.Length; i++)
        {
            int k = i % d;
            if (pts[i] < lo[k]) lo[k] = pts[i];
            if (pts[i] > hi[k]) hi[k] = pts[i];
        }
    }

    private static bool HasMass(ReadOnlySpan<float> w)
    {
        foreach (var v in w) if (v > 0) return true;
        return false;
    }

    private static void CheckFinite(ReadOnlySpan<float> v, string name)
    {
        for (int i = 0; i < v.Length; i++)
            if (!float.IsFinite(v[i])) throw new ArgumentException($"SamplesLoss: {name} element {i} is {v[i]}; point coordinates must be finite");
    }

    private static void CheckWeights(ReadOnlySpan<float> v, string name)
    {
        for (int i = 0; i < v.Length; i++)
            if (!(v[i] >= 0) || float.IsInfinity(v[i])) throw new ArgumentException($"SamplesLoss: weight {name}[{i}] is {v[i]}; weights must be finite and ≥ 0");
    }

    private static Tensor SinkhornForward(Tensor alpha, Tensor x, Tensor beta, Tensor y, CloudBatchLayout layout, SamplesLossOptions o, int d)
    {
        int p = o.P;
        double rho = o.Reach is { } r ? Math.Pow(r, p) : double.PositiveInfinity;
        double epsLast = Math.Pow(o.Blur, p);
        bool debias = o.Debias;
        int[] groupIndex;
        double[][] schedules;
        if (o.Diameter is { } fixedDiameter)
        {
            groupIndex = new int[layout.Count];
            schedules = [SinkhornKernels.EpsilonSchedule(p, fixedDiameter, o.Blur, o.Scaling)];
        }
        else
        {
            var diam = GroupDiameters(x.Data, y.Data, layout, d, out groupIndex);
            schedules = diam.Select(dm => SinkhornKernels.EpsilonSchedule(p, dm, o.Blur, o.Scaling)).ToArray();
        }

        var s = new SinkhornNode.Saved(layout.TotalX, layout.TotalY, debias);
        var values = BufferArena.Allocate(layout.Count);
        int maxN = layout.MaxX, maxM = layout.MaxY;
        long cost = (long)maxN * maxM * 4 * (schedules.Max(e => e.Length) + 2);
        float[] xd = x.Data, yd = y.Data, ad = alpha.Data, bd = beta.Data;
        Parallelism.For(layout.Count, cost, (start, end) =>
        {
            var work = new double[SinkhornKernels.WorkspaceLength(maxN, maxM)];
            for (int b = start; b < end; b++)
            {
                int n = layout.XCounts[b], m = layout.YCounts[b], ox = layout.XOffset(b), oy = layout.YOffset(b);
                var xs = xd.AsSpan(ox * d, n * d);
                var ys = yd.AsSpan(oy * d, m * d);
                var als = ad.AsSpan(ox, n);
                var bes = bd.AsSpan(oy, m);
                SinkhornKernels.Solve(xs, ys, als, bes, schedules[groupIndex[b]], p, rho, debias,
                    s.FAb.AsSpan(ox, n), s.GAb.AsSpan(oy, m), debias ? s.FAa.AsSpan(ox, n) : default, debias ? s.GBb.AsSpan(oy, m) : default,
                    s.HAb.AsSpan(oy, m), s.HBa.AsSpan(ox, n), debias ? s.HAa.AsSpan(ox, n) : default, debias ? s.HBb.AsSpan(oy, m) : default,
                    work, n, m, d);
                double v = SinkhornKernels.Value(als, bes, s.FAb.AsSpan(ox, n), s.GAb.AsSpan(oy, m),
                    debias ? s.FAa.AsSpan(ox, n) : default, debias ? s.GBb.AsSpan(oy, m) : default, epsLast, rho, debias,
                    s.TermX.AsSpan(ox, n), s.TermY.AsSpan(oy, m), s.CoefAb.AsSpan(ox, n), s.CoefBa.AsSpan(oy, m),
                    debias ? s.CoefAa.AsSpan(ox, n) : default, debias ? s.CoefBb.AsSpan(oy, m) : default);
                values[b] = (float)v;
            }
        });
        var result = Tensor.FromArray(values, layout.Count);
        if (GradMode.ShouldRecord(alpha, x, beta, y))
            result.SetGradFn(new SinkhornNode(alpha, x, beta, y, layout, s, p, epsLast, SinkhornKernels.Dampening(epsLast, rho), debias, d));
        return result;
    }

    private static Tensor KernelForward(Tensor alpha, Tensor x, Tensor beta, Tensor y, CloudBatchLayout layout, SamplesLossOptions o, int d)
    {
        var values = BufferArena.Allocate(layout.Count);
        float[] xd = x.Data, yd = y.Data, ad = alpha.Data, bd = beta.Data;
        long cost = (long)(layout.MaxX + layout.MaxY) * (layout.MaxX + layout.MaxY);
        Parallelism.For(layout.Count, cost, (start, end) =>
        {
            for (int b = start; b < end; b++)
            {
                int n = layout.XCounts[b], m = layout.YCounts[b], ox = layout.XOffset(b), oy = layout.YOffset(b);
                values[b] = (float)KernelLossKernels.Forward(o.Kind, xd.AsSpan(ox * d, n * d), yd.AsSpan(oy * d, m * d),
                    ad.AsSpan(ox, n), bd.AsSpan(oy, m), o.Blur, n, m, d);
            }
        });
        var result = Tensor.FromArray(values, layout.Count);
        if (GradMode.ShouldRecord(alpha, x, beta, y))
            result.SetGradFn(new KernelLossNode(alpha, x, beta, y, layout, o.Kind, o.Blur, d));
        return result;
    }
}
