using System.Text.Json.Nodes;
using PoseKD.Geometry.Metrics;
using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Rotations;

/// <summary><c>re</c> against the BOP toolkit's own <c>pose_error.re</c> (tools/golden/bop_re.py).</summary>
public class BopRotationErrorTests
{
    [Fact]
    public void RotationErrorDeg_NotExactlyOrthonormalGroundTruth_EqualsBopToolkit()
    {
        var root = JsonNode.Parse(File.ReadAllText(Numeric.Fixture("bop/re_bop_toolkit.json")))!;
        int differsFromTranspose = 0;
        foreach (var c in root["cases"]!.AsArray())
        {
            double[] rEst = c!["R_est"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
            double[] rGt = c["R_gt"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
            double expected = c["re_deg"]!.GetValue<double>();
            double ours = PoseErrors.RotationErrorDeg(rGt, rEst);
            // arccos is steep at 1: a last-bit difference in the cosine is ~1e-6° there.
            Numeric.AssertClose(expected, ours, 1e-5, 1e-9, "re");
            if (Math.Abs(c["re_transpose_deg"]!.GetValue<double>() - expected) > 1e-3) differsFromTranspose++;
        }
        Assert.True(differsFromTranspose > 10, $"the fixture must exercise the inverse-vs-transpose difference ({differsFromTranspose} cases)");
    }

    [Fact]
    public void CheckRotation_ProperRotation_IsNull()
    {
        Assert.Null(RotationMath.CheckRotation(RotationMath.AxisAngle([1, 2, 3], 0.7)));
    }

    [Theory]
    [InlineData(new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "orthonormal")]
    [InlineData(new double[] { -1, 0, 0, 0, 1, 0, 0, 0, 1 }, "improper")]
    [InlineData(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, double.NaN }, "finite")]
    [InlineData(new double[] { 1.01, 0, 0, 0, 1, 0, 0, 0, 1 }, "orthonormal")]
    public void CheckRotation_NotARotation_SaysWhy(double[] r, string why)
    {
        Assert.Contains(why, RotationMath.CheckRotation(r));
    }

    [Fact]
    public void Inverse3_Singular_Throws()
    {
        Assert.Throws<ArgumentException>(() => RotationMath.Inverse3(new double[9]));
    }
}
