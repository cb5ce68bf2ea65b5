using System.Text.Json;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;
using PoseKD.TestSupport;
using Xunit.Abstractions;

namespace PoseKD.Model.Tests.Distillation;

/// <summary>
/// Agreement with the reference's own KDObjectSpaceLoss/kd_loss_2d + geomloss on a synthetic batch of 5 images
/// (tools/golden/kd_loss_reference.py): value and gradients with respect to the student's keypoints and class logits.
/// </summary>
public sealed class KeypointDistributionLossGoldenTests(ITestOutputHelper output)
{
    private static readonly Lazy<(Dictionary<string, NamedArray> Arrays, Dictionary<string, string> Meta)> Fixture = new(() =>
    {
        var arrays = SafeTensors.Read(Numeric.Fixture("kd/kd_loss_reference.safetensors"), out var meta);
        return (arrays, meta);
    });

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixture.Value.Meta.Keys.Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    private static Tensor Load(string key)
    {
        var a = Fixture.Value.Arrays[key];
        return Tensor.FromArray((float[])a.Data.Clone(), a.Shape.Select(s => (int)s).ToArray());
    }

    private static int[] Counts(string key) => Fixture.Value.Arrays[key].Int64Data!.Select(v => (int)v).ToArray();

    private static KdOptions Options(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new KdOptions
        {
            GType = KdOptions.ParseGType(r.GetProperty("gtype").GetString()!),
            P = (int)r.GetProperty("p").GetDouble(),
            Blur = r.GetProperty("blur").GetDouble(),
            Scaling = r.GetProperty("scaling").GetDouble(),
            Reach = r.GetProperty("reach").GetDouble(),
            WeightedOt = r.GetProperty("weightedOT").GetBoolean(),
            WotDetach = r.GetProperty("wot_detach").GetBoolean(),
            KdWeight = r.GetProperty("kd_weight").GetDouble(),
        };
    }

    /// <summary>Splits packed [N, 8, 2] keypoints and [N] weights into per-image predictions (views keep the graph).</summary>
    internal static List<LocalPredictions> Split(Tensor keypoints, Tensor weights, int[] counts)
    {
        var list = new List<LocalPredictions>();
        int start = 0;
        foreach (int n in counts)
        {
            var cells = Enumerable.Range(start, n).Select(c => new CellRef(0, c)).ToArray();
            list.Add(new LocalPredictions(F.Narrow(keypoints, 0, start, n), F.Narrow(weights, 0, start, n), cells));
            start += n;
        }
        return list;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_ReferenceBatch_MatchesReferenceValueAndGradients(string name)
    {
        var options = Options(Fixture.Value.Meta[name]);
        var kp = Load("student.kp");
        var logit = Load("student.logit");
        kp.RequiresGrad = true;
        logit.RequiresGrad = true;
        var student = Split(kp, F.Sigmoid(logit), Counts("student.count"));
        var teacher = Split(Load("teacher.kp"), Load("teacher.score"), Counts("teacher.count"));

        var loss = new KeypointDistributionLoss(options).Compute(student, teacher);
        double expectedValue = Load($"{name}.value").Item();
        Numeric.AssertClose(expectedValue, loss.Item(), atol: 1e-7, rtol: 1e-5, what: $"{name} value");
        output.WriteLine($"{name}: value rel diff {Math.Abs(loss.Item() - expectedValue) / Math.Abs(expectedValue):E2}");

        loss.Backward();
        foreach (var (t, key) in new[] { (kp, "g_kp"), (logit, "g_logit") })
        {
            var expected = Load($"{name}.{key}");
            double scale = expected.Data.Max(v => Math.Abs(v));
            var actual = t.Grad?.Data ?? new float[t.Numel];
            Numeric.AssertClose(expected.Data, actual, atol: 1e-7 + 1e-5 * scale, rtol: 1e-4, what: $"{name} {key}");
            if (scale > 0) output.WriteLine($"{name}: {key} max |diff| / max |g| = {expected.Data.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / scale:E2}");
        }
    }
}
