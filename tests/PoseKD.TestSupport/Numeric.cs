using Xunit.Sdk;

namespace PoseKD.TestSupport;

/// <summary>Numeric assertions shared by every test project.</summary>
public static class Numeric
{
    /// <summary>
    /// Asserts |expected[i] − actual[i]| ≤ atol + rtol·|expected[i]| for every i (NaN equals NaN,
    /// infinities must match exactly), reporting the worst element.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol = 1e-5, double rtol = 1e-4, string? what = null)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what ?? "values"}: length {actual.Length}, expected {expected.Length}");
        int worst = -1; double worstExcess = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) || double.IsInfinity(a))
            {
                if (e == a) continue;
                worst = i; worstExcess = double.PositiveInfinity; break;
            }
            double excess = Math.Abs(e - a) - (atol + rtol * Math.Abs(e));
            if (double.IsNaN(excess) || excess > worstExcess) { worst = i; worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess; }
        }
        if (worst >= 0)
            throw new XunitException($"{what ?? "values"}: element {worst} is {actual[worst]:R}, expected {expected[worst]:R} (atol {atol}, rtol {rtol}; {expected.Length} elements)");
    }

    /// <summary>Scalar overload of <see cref="AssertClose(ReadOnlySpan{float}, ReadOnlySpan{float}, double, double, string?)"/>.</summary>
    public static void AssertClose(double expected, double actual, double atol = 1e-5, double rtol = 1e-4, string? what = null)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        if (!(Math.Abs(expected - actual) <= atol + rtol * Math.Abs(expected)))
            throw new XunitException($"{what ?? "value"}: {actual:R}, expected {expected:R} (atol {atol}, rtol {rtol})");
    }

    /// <summary>Path of a committed fixture file copied next to the test assembly (<c>Fixtures/…</c>).</summary>
    public static string Fixture(string relativePath)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath);
        if (!File.Exists(path)) throw new XunitException($"fixture missing: {path} (regenerate with tools/golden/)");
        return path;
    }
}
