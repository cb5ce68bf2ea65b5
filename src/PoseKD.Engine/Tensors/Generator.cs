namespace PoseKD.Engine.Tensors;

/// <summary>
/// Deterministic, seeded pseudo-random generator: xoshiro256** (Blackman &amp; Vigna, 2018) with its state
/// expanded from the 64-bit seed by SplitMix64. The same seed gives the same stream on every platform
/// (only integer arithmetic and IEEE double operations are used). Not thread-safe: use one per thread,
/// e.g. created with <see cref="Fork"/>.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Creates a generator whose stream is fully determined by <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>The seed this generator was created with.</summary>
    public ulong Seed { get; }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Next 64 uniformly distributed random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = Rotl(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = Rotl(_s3, 45);
        return result;
    }

    /// <summary>Uniform float in [0, 1): the top 24 bits scaled by 2⁻²⁴.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform double in [0, 1): the top 53 bits scaled by 2⁻⁵³.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float NextFloat(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>
    /// Standard normal sample (mean 0, variance 1) by the Box–Muller transform in double precision;
    /// the second value of each pair is cached for the next call.
    /// </summary>
    public float NextNormal()
    {
        if (_hasSpare) { _hasSpare = false; return (float)_spareNormal; }
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spareNormal = r * Math.Sin(theta);
        _hasSpare = true;
        return (float)(r * Math.Cos(theta));
    }

    /// <summary>Normal sample with the given mean and standard deviation.</summary>
    public float NextNormal(float mean, float std) => mean + std * NextNormal();

    /// <summary>Uniform integer in [0, <paramref name="n"/>) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be positive, got {n}");
        ulong range = (ulong)n;
        while (true)
        {
            ulong x = NextUInt64() >> 32;
            ulong m = x * range;
            uint low = (uint)m;
            if (low >= (uint)(((1UL << 32) - range) % range)) return (int)(m >> 32);
        }
    }

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public int NextInt(int low, int high)
    {
        if (high <= low) throw new ArgumentOutOfRangeException(nameof(high), $"empty range [{low}, {high})");
        return low + NextInt(high - low);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the last element down).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        Shuffle<int>(p);
        return p;
    }

    /// <summary>A new generator seeded from this one's stream (for per-thread or per-worker streams).</summary>
    public Generator Fork() => new(NextUInt64());
}
