using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// The head shared by all levels: two towers (<c>cls_tower</c>, <c>pose_tower</c>) of N_CONV × (3×3 conv →
/// GroupNorm(32) → ReLU) — Sequential indices 0, 1, 2, 3, … for conv, norm, relu, conv, … —; <c>cls_logits</c>, a
/// 3×3 conv to N_CLASS − 1 logits with bias −log((1 − prior)/prior); <c>pose_pred</c>, a 3×3 conv to
/// 16·(N_CLASS − 1) keypoint offsets, multiplied by the level's learnable <c>scales.{k}.scale</c> (5 scales,
/// as the reference, whatever the level count). Tower and predictor convs ~ N(0, 0.01), zero bias.
/// </summary>
public sealed class PoseHead : Module
{
    /// <summary>Number of learnable level scales (the reference always makes 5).</summary>
    public const int ScaleCount = 5;

    /// <summary>Groups of every tower GroupNorm.</summary>
    public const int NormGroups = 32;

    /// <summary>Builds the head for <paramref name="inChannel"/>-wide features and <paramref name="nClass"/> classes (background included).</summary>
    public PoseHead(int inChannel, int nClass, int nConv, double prior, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (nClass < 2) throw new ArgumentOutOfRangeException(nameof(nClass), nClass, "N_CLASS must be ≥ 2");
        if (nConv < 0) throw new ArgumentOutOfRangeException(nameof(nConv), nConv, "N_CONV must be ≥ 0");
        if (inChannel % NormGroups != 0) throw new ArgumentException($"head width {inChannel} must be a multiple of {NormGroups} (GroupNorm groups)", nameof(inChannel));
        if (!(prior > 0 && prior < 1)) throw new ArgumentOutOfRangeException(nameof(prior), prior, "PRIOR must lie in (0, 1)");
        NumClasses = nClass - 1;
        ClsTower = RegisterModule("cls_tower", new Sequential());
        PoseTower = RegisterModule("pose_tower", new Sequential());
        // Construction order as the reference: the towers interleave, cls block i before pose block i.
        for (int i = 0; i < nConv; i++)
        {
            foreach (var tower in new[] { ClsTower, PoseTower })
            {
                tower.Add((3 * i).ToString(System.Globalization.CultureInfo.InvariantCulture), new Conv2d(inChannel, inChannel, 3, 1, 1, generator: generator));
                tower.Add((3 * i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new GroupNorm(NormGroups, inChannel));
                tower.Add((3 * i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), new ReLU());
            }
        }
        ClsLogits = RegisterModule("cls_logits", new Conv2d(inChannel, NumClasses, 3, 1, 1, generator: generator));
        PosePred = RegisterModule("pose_pred", new Conv2d(inChannel, NumClasses * 16, 3, 1, 1, generator: generator));
        foreach (var conv in new[] { ClsTower, PoseTower }.SelectMany(t => Enumerable.Range(0, t.Count).Select(j => t[j])).OfType<Conv2d>().Append(ClsLogits).Append(PosePred))
        {
            Init.Normal(conv.Weight, generator, 0, 0.01);
            Init.Constant(conv.Bias!, 0);
        }
        Init.Constant(ClsLogits.Bias!, (float)-Math.Log((1 - prior) / prior));
        Scales = RegisterModule("scales", new ModuleList<Scale>());
        for (int k = 0; k < ScaleCount; k++) Scales.Add(new Scale(1f));
    }

    /// <summary>N_CLASS − 1.</summary>
    public int NumClasses { get; }

    /// <summary>Classification tower.</summary>
    public Sequential ClsTower { get; }

    /// <summary>Regression tower.</summary>
    public Sequential PoseTower { get; }

    /// <summary>Class-logit predictor.</summary>
    public Conv2d ClsLogits { get; }

    /// <summary>Keypoint-offset predictor.</summary>
    public Conv2d PosePred { get; }

    /// <summary>The per-level scales.</summary>
    public ModuleList<Scale> Scales { get; }

    /// <summary>Per level k: logits cls_logits(cls_tower(x_k)) and offsets scales[k]·pose_pred(pose_tower(x_k)).</summary>
    public (IReadOnlyList<Tensor> ClsLogits, IReadOnlyList<Tensor> PoseReg) Forward(IReadOnlyList<Tensor> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count > ScaleCount) throw new ArgumentException($"the head has {ScaleCount} level scales, got {features.Count} levels", nameof(features));
        var cls = new Tensor[features.Count];
        var reg = new Tensor[features.Count];
        for (int k = 0; k < features.Count; k++)
        {
            cls[k] = ClsLogits.Forward(RunTower(ClsTower, features[k]));
            reg[k] = Scales[k].Forward(PosePred.Forward(RunTower(PoseTower, features[k])));
        }
        return (cls, reg);
    }

    /// <summary>The tower's layers in order, the ReLUs applied in place (GroupNorm's backward reads its input, not its output).</summary>
    private static Tensor RunTower(Sequential tower, Tensor x)
    {
        for (int j = 0; j < tower.Count; j++)
            x = tower[j] is ReLU ? F.ReluInPlace(x) : tower[j].Forward(x);
        return x;
    }
}
