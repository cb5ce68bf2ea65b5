namespace PoseKD.Training.Config;

/// <summary>The <c>SOLVER</c> section: batch, schedule, loss weights, positive sampling and augmentation.</summary>
public sealed record SolverConfig
{
    /// <summary><c>IMS_PER_BATCH</c>: training batch size.</summary>
    public int ImsPerBatch { get; init; } = 16;
    /// <summary><c>VAL_FREQ</c>: validate (and write <c>latest</c>) every this many steps (set per backbone).</summary>
    public int ValFreq { get; init; } = 500;
    /// <summary><c>BASE_LR</c>: peak learning rate of the one-cycle schedule.</summary>
    public double BaseLr { get; init; } = 0.001;
    /// <summary><c>MAX_ITER</c>: training steps.</summary>
    public int MaxIter { get; init; } = 10000;
    /// <summary><c>LOSS_WEIGHT_CLS</c>.</summary>
    public double LossWeightCls { get; init; } = 0.1;
    /// <summary><c>LOSS_WEIGHT_REG</c>.</summary>
    public double LossWeightReg { get; init; } = 1;
    /// <summary><c>LOSS_REG_TYPE</c>: 3D (object space) or 2D (image space).</summary>
    public string LossRegType { get; init; } = "3D";
    /// <summary><c>POSITIVE_TYPE</c>: SSC.</summary>
    public string PositiveType { get; init; } = "SSC";
    /// <summary><c>POSITIVE_LAMBDA</c>: λ of the per-level positive share.</summary>
    public double PositiveLambda { get; init; } = 1.0;
    /// <summary><c>REGRESSION_TYPE</c>: POINT.</summary>
    public string RegressionType { get; init; } = "POINT";
    /// <summary><c>POSITIVE_NUM</c>: positives per object over all levels.</summary>
    public int PositiveNum { get; init; } = 10;
    /// <summary><c>TOP_K</c> (reference constant, unused by SSC sampling).</summary>
    public int TopK { get; init; } = 9;
    /// <summary><c>FOCAL_GAMMA</c>.</summary>
    public double FocalGamma { get; init; } = 2.0;
    /// <summary><c>FOCAL_ALPHA</c>.</summary>
    public double FocalAlpha { get; init; } = 0.25;
    /// <summary><c>GRAD_CLIP</c>: max global gradient norm.</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary><c>AUGMENTATION_SHIFT</c>.</summary>
    public double AugmentationShift { get; init; } = 0.05;
    /// <summary><c>AUGMENTATION_SCALE</c>.</summary>
    public double AugmentationScale { get; init; } = 0.05;
    /// <summary><c>AUGMENTATION_ROTATION</c> in degrees.</summary>
    public double AugmentationRotation { get; init; } = 10;
    /// <summary><c>AUGMENTATION_ColorH</c>.</summary>
    public double AugmentationColorH { get; init; }
    /// <summary><c>AUGMENTATION_ColorS</c>.</summary>
    public double AugmentationColorS { get; init; }
    /// <summary><c>AUGMENTATION_ColorV</c>.</summary>
    public double AugmentationColorV { get; init; }
    /// <summary><c>AUGMENTATION_Sharpen</c>.</summary>
    public double AugmentationSharpen { get; init; }
    /// <summary><c>AUGMENTATION_Smooth</c> (blur kernel size; 0 = off).</summary>
    public int AugmentationSmooth { get; init; }
    /// <summary><c>AUGMENTATION_Noise</c>.</summary>
    public double AugmentationNoise { get; init; }
    /// <summary><c>AUGMENTATION_OCCLUSION</c>: probability of a random occluding patch.</summary>
    public double AugmentationOcclusion { get; init; }
    /// <summary><c>AUGMENTATION_Grayscalize</c>.</summary>
    public bool AugmentationGrayscalize { get; init; }
    /// <summary><c>AUGMENTATION_BACKGROUND_DIR</c>: folder of random backgrounds, or null.</summary>
    public string? AugmentationBackgroundDir { get; init; }
}
