using System.Globalization;
using PoseKD.Data.Imaging;
using PoseKD.Data.Transforms;
using PoseKD.Training.Loop;
using PoseKD.Training.Pose;
using PoseKD.Training.Visualization;

namespace PoseKD.Training.Hooks;

/// <summary>
/// Every <see cref="Every"/> steps of a distillation run, draws the teacher's and the student's weighted keypoint
/// clouds of the batch's first image over its crop (<see cref="KdCloudPainter"/>) to
/// <c>kd_pictures/step_NNNNNN.png</c> — the paper's idea at a glance.
/// </summary>
public sealed class KdPictureHook : ITrainHook
{
    private readonly PoseTrainingTask _task;
    private readonly List<string> _written = [];

    /// <summary>Draws for <paramref name="task"/> (which must distill) into <paramref name="workDir"/>/kd_pictures every <paramref name="every"/> steps.</summary>
    public KdPictureHook(PoseTrainingTask task, string workDir, int every, TransformOptions transform)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(workDir);
        ArgumentNullException.ThrowIfNull(transform);
        if (task.Distiller is null) throw new ArgumentException("KD pictures need a distillation task", nameof(task));
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "expected ≥ 1");
        _task = task; Every = every; Transform = transform;
        Folder = Path.Combine(workDir, "kd_pictures");
    }

    /// <summary>Steps between pictures.</summary>
    public int Every { get; }
    /// <summary>Normalisation to undo for the crop.</summary>
    public TransformOptions Transform { get; }
    /// <summary>The picture folder.</summary>
    public string Folder { get; }
    /// <summary>Pictures written so far.</summary>
    public IReadOnlyList<string> Written => _written;

    /// <inheritdoc />
    public void AfterStep(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (trainer.Step % Every != 0 && trainer.Step != 1) return;
        var batch = trainer.LastBatch;
        var student = _task.LastResult?.Student;
        var teacher = _task.Distiller!.LastKnowledge;
        if (batch is null || student is null || teacher is null || student.Count == 0 || teacher.Count == 0) return;
        var sample = batch.Samples[0];
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"step_{trainer.Step:D6}.png"));
        KdCloudPainter.Save(path, Crop(sample, Transform), Detached(student[0]), teacher[0], sample.BboxTrans);
        _written.Add(path);
    }

    private static PoseKD.Model.Distillation.LocalPredictions Detached(PoseKD.Model.Distillation.LocalPredictions p)
        => new(p.Keypoints.Detach(), p.Weights.Detach(), p.Cells);

    /// <summary>The sample's normalised crop back to 8-bit RGB.</summary>
    public static Image8 Crop(Sample sample, TransformOptions transform)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(transform);
        int s = sample.Size, plane = s * s;
        var rgb = new byte[plane * 3];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
            {
                double v = (sample.Image[c * plane + i] * transform.PixelStd[c] + transform.PixelMean[c]) * 255.0;
                rgb[i * 3 + c] = (byte)Math.Clamp(Math.Round(v), 0, 255);
            }
        return new Image8(s, s, 3, rgb);
    }
}
