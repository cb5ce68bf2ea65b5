namespace PoseKD.Data.Transforms;

/// <summary>
/// Transform and DZI settings; defaults are the reference's (configs/ape.yaml + arguments/argument.py):
/// internal camera 640×480 with LINEMOD's K, shift 0.05, scale 0.05, rotation 10°, colour/blur/sharpen/noise 0,
/// ImageNet mean/std, input resolution 256, DZI pad 1.5, shift ±0.25, scale ±0.25.
/// </summary>
public sealed class TransformOptions
{
    /// <summary>Internal image width (INPUT.INTERNAL_WIDTH).</summary>
    public int InternalWidth { get; init; } = 640;

    /// <summary>Internal image height (INPUT.INTERNAL_HEIGHT).</summary>
    public int InternalHeight { get; init; } = 480;

    /// <summary>Internal camera (INPUT.INTERNAL_K), row-major [9].</summary>
    public double[] InternalK { get; init; } = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];

    /// <summary>SOLVER.AUGMENTATION_SHIFT.</summary>
    public double Shift { get; init; } = 0.05;

    /// <summary>SOLVER.AUGMENTATION_SCALE.</summary>
    public double Scale { get; init; } = 0.05;

    /// <summary>SOLVER.AUGMENTATION_ROTATION, degrees.</summary>
    public double RotationDeg { get; init; } = 10;

    /// <summary>SOLVER.AUGMENTATION_ColorH / S / V.</summary>
    public double HueRatio { get; init; }

    /// <summary>Saturation jitter ratio.</summary>
    public double SaturationRatio { get; init; }

    /// <summary>Value jitter ratio.</summary>
    public double ValueRatio { get; init; }

    /// <summary>SOLVER.AUGMENTATION_Sharpen: probability of the pencil-sharpen effect.</summary>
    public double Sharpen { get; init; }

    /// <summary>SOLVER.AUGMENTATION_Smooth: largest box-blur kernel (odd sizes 1..this are drawn).</summary>
    public int Smooth { get; init; }

    /// <summary>SOLVER.AUGMENTATION_Noise: Gaussian noise σ drawn from U(0, this) (× 255).</summary>
    public double Noise { get; init; }

    /// <summary>SOLVER.AUGMENTATION_Grayscalize.</summary>
    public bool Grayscale { get; init; }

    /// <summary>SOLVER.AUGMENTATION_OCCLUSION: probability of erasing a patch per instance.</summary>
    public double Occlusion { get; init; }

    /// <summary>SOLVER.AUGMENTATION_BACKGROUND_DIR (null: none).</summary>
    public string? BackgroundDir { get; init; }

    /// <summary>INPUT.PIXEL_MEAN (RGB).</summary>
    public double[] PixelMean { get; init; } = [0.485, 0.456, 0.406];

    /// <summary>INPUT.PIXEL_STD (RGB).</summary>
    public double[] PixelStd { get; init; } = [0.229, 0.224, 0.225];

    /// <summary>DZI crop size S (INPUT_RES).</summary>
    public int InputRes { get; init; } = 256;

    /// <summary>DZI pad scale.</summary>
    public double DziPadScale { get; init; } = 1.5;

    /// <summary>DZI training shift ratio.</summary>
    public double DziShiftRatio { get; init; } = 0.25;

    /// <summary>DZI training scale ratio.</summary>
    public double DziScaleRatio { get; init; } = 0.25;

    /// <summary>Instances with fewer visible pixels are dropped.</summary>
    public int MinMaskArea { get; init; } = 10;
}
