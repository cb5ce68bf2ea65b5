namespace PoseKD.Training.Config;

/// <summary>The <c>INPUT</c> section: internal camera, translation ranges, normalisation and (PoseKD's key) the crop size.</summary>
public sealed record InputConfig
{
    /// <summary><c>INTERNAL_WIDTH</c> in pixels.</summary>
    public int InternalWidth { get; init; } = 640;
    /// <summary><c>INTERNAL_HEIGHT</c> in pixels.</summary>
    public int InternalHeight { get; init; } = 480;
    /// <summary><c>INTERNAL_K</c>: internal camera, row-major 3×3.</summary>
    public double[] InternalK { get; init; } = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];
    /// <summary><c>minT</c>: per-class minimum translation (mm); read and kept, unused by the point regression.</summary>
    public double[][] MinT { get; init; } = [];
    /// <summary><c>maxT</c>: per-class maximum translation (mm); read and kept, unused by the point regression.</summary>
    public double[][] MaxT { get; init; } = [];
    /// <summary><c>PIXEL_MEAN</c> (RGB, 0–1).</summary>
    public double[] PixelMean { get; init; } = [0.485, 0.456, 0.406];
    /// <summary><c>PIXEL_STD</c> (RGB, 0–1).</summary>
    public double[] PixelStd { get; init; } = [0.229, 0.224, 0.225];
    /// <summary><c>SIZE_DIVISIBLE</c>: batch images are padded to a multiple of this.</summary>
    public int SizeDivisible { get; init; } = 32;
    /// <summary><c>INPUT_RES</c> (PoseKD key): side of the square DZI crop fed to the network.</summary>
    public int InputRes { get; init; } = 256;
}
