using System.Text.Json;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;
using Xunit.Sdk;

namespace PoseKD.Engine.Tests.Kernels;

/// <summary>Shared helpers of the norm/pool/activation/loss kernel tests: random data, fixtures, finite differences.</summary>
internal static class NnKernelTestSupport
{
    public static float[] Randn(Random rng, int count, double scale = 1, double shift = 0)
    {
        var a = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = (float)(shift + scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    public static double[] RandnD(Random rng, int count, double scale = 1, double shift = 0)
        => Array.ConvertAll(Randn(rng, count, scale, shift), v => (double)v);

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    public static float[] ToFloat(double[] a) => Array.ConvertAll(a, v => (float)v);

    /// <summary>One golden file: its arrays and its case list (metadata "cases").</summary>
    public static (Dictionary<string, NamedArray> Arrays, JsonElement[] Cases) Golden(string name)
    {
        var arrays = SafeTensors.Read(Numeric.Fixture($"nn/{name}.safetensors"), out var meta);
        var cases = JsonDocument.Parse(meta["cases"]).RootElement.EnumerateArray().ToArray();
        return (arrays, cases);
    }

    public static float[] Get(this Dictionary<string, NamedArray> arrays, string key)
        => arrays.TryGetValue(key, out var a) ? a.Data : throw new XunitException($"fixture array '{key}' missing");

    public static int[] GetInts(this Dictionary<string, NamedArray> arrays, string key)
        => Array.ConvertAll(arrays[key].Int64Data ?? throw new XunitException($"'{key}' is not an integer array"), v => checked((int)v));

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();

    public static float Float(this JsonElement e, string name) => (float)e.GetProperty(name).GetDouble();

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    /// <summary>
    /// Central-difference gradient of <paramref name="f"/> at <paramref name="p"/> (perturbed in place and restored),
    /// compared with <paramref name="analytic"/>: |fd − analytic| ≤ atol + rtol·|fd|.
    /// </summary>
    public static void CheckGradient(Func<double> f, double[] p, double[] analytic, string what, double h = 1e-6, double atol = 1e-6, double rtol = 1e-5)
    {
        var fd = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double old = p[i];
            p[i] = old + h; double fp = f();
            p[i] = old - h; double fm = f();
            p[i] = old;
            fd[i] = (fp - fm) / (2 * h);
        }
        for (int i = 0; i < p.Length; i++)
            if (!(Math.Abs(fd[i] - analytic[i]) <= atol + rtol * Math.Abs(fd[i])))
                throw new XunitException($"{what}: element {i} analytic {analytic[i]:R}, finite difference {fd[i]:R}");
    }

    /// <summary>Σ a[i]·b[i] in double.</summary>
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
