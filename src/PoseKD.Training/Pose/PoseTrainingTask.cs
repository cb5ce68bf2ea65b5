using PoseKD.Data.Loading;
using PoseKD.Engine.Nn;
using PoseKD.Model.Losses;
using PoseKD.Model.Network;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Targets;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Pose;

/// <summary>
/// Training a WDRNet+ network, with or without a teacher: forward the batch, sample SSC positives with the step's
/// generator, and return the reference's terms — <c>loss_cls</c> (focal, weight <c>LOSS_WEIGHT_CLS</c>),
/// <c>loss_reg</c> (weight <c>LOSS_WEIGHT_REG</c>) and, when distilling, <c>loss_kd</c> (weight <c>kd_weight</c>;
/// logged but not trained on when the weight is 0, like the reference).
/// </summary>
public sealed class PoseTrainingTask : ITrainingTask
{
    private readonly PoseLoss _loss;

    /// <summary>Creates the task for <paramref name="network"/>; <paramref name="keypoints3d"/> is per class the 8 box corners [8·3] mm.</summary>
    public PoseTrainingTask(PoseNet network, HeadOptions head, IReadOnlyList<double[]> keypoints3d, Distiller? distiller = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(keypoints3d);
        if (keypoints3d.Count < network.Options.NumForegroundClasses)
            throw new ArgumentException($"the keypoint table has {keypoints3d.Count} classes, the network predicts {network.Options.NumForegroundClasses} (N_CLASS − 1)");
        Network = network; Head = head; Keypoints3d = keypoints3d; Distiller = distiller;
        _loss = new PoseLoss(head);
    }

    /// <summary>The trained network.</summary>
    public PoseNet Network { get; }
    /// <summary>Head settings (positives, loss weights).</summary>
    public HeadOptions Head { get; }
    /// <summary>Per class the 8 keypoints [8·3] mm.</summary>
    public IReadOnlyList<double[]> Keypoints3d { get; }
    /// <summary>The teacher side, when distilling.</summary>
    public Distiller? Distiller { get; }
    /// <summary>The last step's loss result (student local predictions for pictures).</summary>
    public PoseLossResult? LastResult { get; private set; }

    /// <inheritdoc />
    public Module Model => Network;

    /// <inheritdoc />
    public LossTerms Losses(Batch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        var output = Network.Forward(batch.Images);
        var targets = TargetBuilder.Build(batch.Samples, Keypoints3d, HeadLayout.From(output, Head), Head, context.Rng);
        var result = _loss.Compute(output, targets);
        LastResult = result;
        var terms = new LossTerms()
            .Add(PoseLoss.ClsTerm, result.ClsLoss, Head.LossWeightCls)
            .Add(PoseLoss.RegTerm, result.RegLoss, Head.LossWeightReg);
        if (Distiller is not null)
        {
            var infos = batch.Samples.Select(s => PoseImageInfo.FromSample(s, filterToAnnotatedClasses: false)).ToList();
            terms.Add("loss_kd", Distiller.Compute(batch.Images, infos, result.Student, targets), Distiller.KdWeight);
        }
        return terms;
    }
}
