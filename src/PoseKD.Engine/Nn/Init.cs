using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>
/// Seeded parameter initialisers with <c>torch.nn.init</c>'s formulas. fan_in = size(1)·Π size(2..)
/// (input channels × kernel area for a conv weight).
/// </summary>
public static class Init
{
    /// <summary>
    /// The generator layers use when none is passed (like torch's global RNG): layers created in the same order
    /// after the same <see cref="ManualSeed"/> get the same values. Not thread-safe: build models on one thread.
    /// </summary>
    public static Generator DefaultGenerator { get; private set; } = new(0);

    /// <summary>Re-seeds <see cref="DefaultGenerator"/> (torch.manual_seed's role for initialisation).</summary>
    public static void ManualSeed(ulong seed) => DefaultGenerator = new Generator(seed);

    /// <summary>fan_in of a weight of shape [out, in, k…] (torch's <c>_calculate_fan_in_and_fan_out</c>).</summary>
    public static int FanIn(int[] shape)
    {
        if (shape.Length < 2) throw new ArgumentException($"fan_in needs a tensor of rank ≥ 2, got shape {Shapes.Format(shape)}");
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return shape[1] * receptive;
    }

    /// <summary>
    /// Kaiming-uniform (He et al. 2015) as <c>kaiming_uniform_(w, a, mode='fan_in', nonlinearity='leaky_relu')</c>:
    /// w ~ U(−b, b), b = gain·√(3/fan_in), gain = √(2/(1 + a²)).
    /// </summary>
    public static void KaimingUniform(Tensor weight, Generator generator, double a = 0)
    {
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.Sqrt(3.0 / FanIn(weight.Shape));
        Uniform(weight, generator, -bound, bound);
    }

    /// <summary>w ~ U(low, high).</summary>
    public static void Uniform(Tensor weight, Generator generator, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var d = weight.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(low + (high - low) * generator.NextDouble());
    }

    /// <summary>w ~ N(mean, std²).</summary>
    public static void Normal(Tensor weight, Generator generator, double mean = 0, double std = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var d = weight.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * generator.NextNormal());
    }

    /// <summary>w = value everywhere.</summary>
    public static void Constant(Tensor weight, float value) => weight.Data.AsSpan().Fill(value);
}
