using PoseKD.Engine.Autograd;
using PoseKD.Engine.Tensors;
using Xunit.Sdk;

namespace PoseKD.Engine.Tests;

/// <summary>
/// Finite-difference gradient check of a differentiable function against autograd.
/// <para>Method. The vector output y = f(x₁, …) is projected to a scalar L = Σ R ⊙ y with a fixed random
/// R ~ U(−1, 1) (so every output element's gradient is exercised, not just their sum). Autograd gives
/// ∂L/∂x from <c>y.Backward(R)</c>. The numerical gradient of each input element is a central difference
/// with Richardson extrapolation, D = (4·D(h/2) − D(h)) / 3 with D(h) = (L(x+h) − L(x−h)) / (x₊ − x₋),
/// where L is accumulated in DOUBLE from the float outputs and x₊ − x₋ is the step actually representable
/// in float. The truncation error is O(h⁴); the remaining error is float rounding in f, bounded by
/// noise ≈ 4·u·Σ|R ⊙ y| / h with u = 2⁻²⁴ (the output's rounding, amplified by the difference quotient).</para>
/// <para>Tolerance. Element j passes when |D − A| ≤ atol + noise + rtol·max(|D|, |A|). Defaults:
/// h = eps·max(1, |x|) with eps = 1e-2, atol = 1e-3, rtol = 5e-3. Test inputs must keep every kink (relu
/// at 0, |x| at 0, clamp bounds, max ties) farther than h from any input value, or the check is
/// meaningless there.</para>
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks ∂(Σ R ⊙ f(inputs))/∂inputs[i] for every input with <c>differentiable[i]</c> (all when null).
    /// Inputs are copied; the function must only read them. Throws <see cref="XunitException"/> naming the
    /// worst element on failure.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, bool[]? differentiable = null,
        double eps = 1e-2, double atol = 1e-3, double rtol = 5e-3, ulong seed = 1234)
    {
        differentiable ??= inputs.Select(_ => true).ToArray();
        var xs = inputs.Select((t, i) =>
        {
            var c = Tensor.FromArray((float[])t.Data.Clone(), t.Shape);
            c.RequiresGrad = differentiable[i];
            return c;
        }).ToArray();

        var y = f(xs);
        var gen = new Generator(seed);
        var r = Tensor.Zeros(y.Shape);
        for (int i = 0; i < r.Numel; i++) r.Data[i] = gen.NextFloat() * 2f - 1f;
        if (!y.RequiresGrad) throw new XunitException("the function output does not require grad: no autograd path from the inputs");
        y.Backward(r);
        double scale = 0;
        for (int i = 0; i < y.Numel; i++) scale += Math.Abs((double)r.Data[i] * y.Data[i]);

        double Loss()
        {
            using var _ = GradMode.NoGrad();
            var o = f(xs);
            double s = 0;
            for (int i = 0; i < o.Numel; i++) s += (double)r.Data[i] * o.Data[i];
            return s;
        }

        for (int k = 0; k < xs.Length; k++)
        {
            if (!differentiable[k]) continue;
            var x = xs[k];
            var analytic = x.Grad?.Data ?? new float[x.Numel];
            for (int j = 0; j < x.Numel; j++)
            {
                float orig = x.Data[j];
                double h = eps * Math.Max(1.0, Math.Abs(orig));
                double Diff(double step)
                {
                    float xp = (float)(orig + step), xm = (float)(orig - step);
                    x.Data[j] = xp; double lp = Loss();
                    x.Data[j] = xm; double lm = Loss();
                    x.Data[j] = orig;
                    return (lp - lm) / ((double)xp - xm);
                }
                double d1 = Diff(h), d2 = Diff(h / 2);
                double numeric = (4 * d2 - d1) / 3;
                double a = analytic[j];
                double noise = 4 * Math.Pow(2, -24) * scale / (h / 2);
                double tol = atol + noise + rtol * Math.Max(Math.Abs(numeric), Math.Abs(a));
                if (!(Math.Abs(numeric - a) <= tol))
                    throw new XunitException($"gradient check failed for input {k} (shape {Shapes.Format(x.Shape)}) element {j} (x = {orig:R}): autograd {a:R}, numerical {numeric:R}, tolerance {tol:G3}");
            }
        }
    }

    /// <summary>Convenience overload for one input.</summary>
    public static void Check(Func<Tensor, Tensor> f, Tensor input, double eps = 1e-2, double atol = 1e-3, double rtol = 5e-3)
        => Check(xs => f(xs[0]), [input], null, eps, atol, rtol);

    /// <summary>Uniform values in [lo, hi) from a fixed seed.</summary>
    public static Tensor Uniform(ulong seed, float lo, float hi, params int[] shape)
    {
        var g = new Generator(seed);
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Numel; i++) t.Data[i] = g.NextFloat(lo, hi);
        return t;
    }

    /// <summary>
    /// Values of magnitude in [minAbs, maxAbs) with random sign, so that kinks at 0 are at least minAbs away.
    /// </summary>
    public static Tensor AwayFromZero(ulong seed, float minAbs, float maxAbs, params int[] shape)
    {
        var g = new Generator(seed);
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Numel; i++) t.Data[i] = g.NextFloat(minAbs, maxAbs) * (g.NextInt(2) == 0 ? -1f : 1f);
        return t;
    }
}
