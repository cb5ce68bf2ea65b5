using PoseKD.Engine.Tensors;
using PoseKD.Model.Targets;

namespace PoseKD.Model.Tests.Targets;

public sealed class TargetBuilderTests(GeneratedScenes scenes) : IClassFixture<GeneratedScenes>
{
    private static readonly HeadOptions Options = new();

    // 128 px crops: strides 8 … 64 → grids 16, 8, 4, 2
    private static readonly HeadLayout Layout = new([new(16, 16, 8, 32), new(8, 8, 16, 64), new(4, 4, 32, 128), new(2, 2, 64, 256)], 15);

    private HeadTargets Build(ulong seed) => TargetBuilder.Build(scenes.Samples, scenes.Dataset.Keypoints!, Layout, Options, new Generator(seed));

    [Fact]
    public void LevelCounts_Span32_FollowsFormula()
    {
        // e = exp(−log2(32/a)²) = 1, e⁻¹, e⁻⁴, e⁻⁹, e⁻¹⁶ → 10·e/Σe = 7.21, 2.65, 0.13, … → 7, 3, 0, 0, 0
        Assert.Equal([7, 3, 0, 0, 0], TargetBuilder.LevelCounts(32, [32, 64, 128, 256, 512], 10, 1));
        Assert.Equal([0, 0, 0, 0, 0], TargetBuilder.LevelCounts(0, [32, 64, 128, 256, 512], 10, 1));
        // span 90.5 ≈ 64·√2: levels 64 and 128 share equally
        var n = TargetBuilder.LevelCounts(64 * Math.Sqrt(2), [32, 64, 128, 256, 512], 10, 1);
        Assert.Equal(n[1], n[2]);
    }

    [Fact]
    public void Build_GeneratedScenes_CountsPerLevelFollowFormula()
    {
        var t = Build(1);
        var sizes = Options.AnchorSizes.Take(Layout.Levels.Count).ToArray();
        int checkedLevels = 0;
        for (int b = 0; b < scenes.Samples.Count; b++)
        {
            var s = scenes.Samples[b];
            var maskAt = TargetBuilder.MaskAtAnchors(s, Layout);
            var nk = TargetBuilder.LevelCounts(TargetBuilder.BoxSpan(s, 0), sizes, 10, 1);
            for (int k = 0; k < Layout.Levels.Count; k++)
            {
                int off = Layout.LevelOffset(k);
                int candidates = Enumerable.Range(0, Layout.Levels[k].Count).Count(i => maskAt[off + i] == 1);
                int positives = t.Positives.Count(p => p.Image == b && p.Level == k);
                Assert.Equal(Math.Min(nk[k], candidates), positives);
                if (nk[k] > 0 && candidates > 0) checkedLevels++;
            }
        }
        Assert.True(checkedLevels >= scenes.Samples.Count, $"only {checkedLevels} levels had both a count and candidates");
    }

    [Fact]
    public void Build_GeneratedScenes_PositivesOnMaskIgnoredRestOfMaskElseBackground()
    {
        var t = Build(2);
        Assert.NotEmpty(t.Positives);
        for (int b = 0; b < scenes.Samples.Count; b++)
        {
            var s = scenes.Samples[b];
            var maskAt = TargetBuilder.MaskAtAnchors(s, Layout);
            for (int i = 0; i < Layout.TotalCells; i++)
            {
                int label = t.Labels[b * Layout.TotalCells + i];
                int m = maskAt[i];
                if (label > 0) Assert.Equal(s.ClassIds[m - 1] + 1, label);
                else if (m >= 1 && m <= s.ClassIds.Length) Assert.Equal(-1, label);
                else Assert.Equal(0, label);
            }
        }
        foreach (var p in t.Positives)
        {
            var s = scenes.Samples[p.Image];
            int x = (int)Math.Clamp(p.CenterX, 0, s.Size - 1), y = (int)Math.Clamp(p.CenterY, 0, s.Size - 1);
            Assert.Equal(p.Instance + 1, s.Labels[y * s.Size + x]);
            // the regression target decodes back onto the instance's crop keypoints
            var kp = new float[16];
            TargetCoder.Decode(p.Offsets, p.CenterX, p.CenterY, p.AnchorSize, default, kp);
            for (int j = 0; j < 8; j++)
            {
                Assert.Equal(s.Keypoints[p.Instance][2 * j], kp[j], 2);
                Assert.Equal(s.Keypoints[p.Instance][2 * j + 1], kp[8 + j], 2);
            }
        }
    }

    [Fact]
    public void Build_SameSeed_SameLabels_OtherSeed_Different()
    {
        Assert.Equal(Build(5).Labels, Build(5).Labels);
        Assert.NotEqual(Build(5).Labels, Build(6).Labels);
    }

    [Fact]
    public void FromLabels_PositiveOffMask_Throws()
    {
        var labels = new int[scenes.Samples.Count * Layout.TotalCells];
        var maskAt = TargetBuilder.MaskAtAnchors(scenes.Samples[0], Layout);
        int off = Array.FindIndex(maskAt, v => v == 0);
        labels[off] = 1;
        var ex = Assert.Throws<ArgumentException>(() => TargetBuilder.FromLabels(scenes.Samples, scenes.Dataset.Keypoints!, Layout, labels));
        Assert.Contains("not on the mask", ex.Message);
    }
}
