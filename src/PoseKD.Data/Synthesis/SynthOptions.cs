namespace PoseKD.Data.Synthesis;

/// <summary>Settings of <see cref="SyntheticDatasetGenerator"/> (<c>posekd synth</c>); defaults make the demo dataset.</summary>
public sealed class SynthOptions
{
    /// <summary>LINEMOD's camera: fx 572.4114, fy 573.57043, cx 325.2611, cy 242.04899 (row-major 3×3).</summary>
    public static readonly double[] LinemodK = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1];

    /// <summary>Dataset root to create (must be empty or absent).</summary>
    public required string OutputDir { get; init; }

    /// <summary>Built-in objects to render (see <see cref="BuiltInObjects.Names"/>); default: all of them.</summary>
    public IReadOnlyList<string> Objects { get; init; } = BuiltInObjects.Names;

    /// <summary>User PLY meshes (mm) rendered after the built-ins; their object ids follow.</summary>
    public IReadOnlyList<string> PlyFiles { get; init; } = [];

    /// <summary>Images per object (one scene per object, as in LINEMOD).</summary>
    public int ImagesPerObject { get; init; } = 200;

    /// <summary>Image width, px.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Image height, px.</summary>
    public int Height { get; init; } = 480;

    /// <summary>Camera intrinsics (row-major 3×3); LINEMOD's by default.</summary>
    public double[] K { get; init; } = (double[])LinemodK.Clone();

    /// <summary>Fraction of each object's images listed in <c>&lt;cls&gt;_train.txt</c> (LINEMOD: about 15 %); the rest go to the test list.</summary>
    public double TrainFraction { get; init; } = 0.15;

    /// <summary>Seed; the same seed and options give byte-identical files.</summary>
    public int Seed { get; init; }

    /// <summary>Object distance range (camera z of the model origin), mm.</summary>
    public double MinDistanceMm { get; init; } = 650;

    /// <summary>Upper end of the distance range, mm.</summary>
    public double MaxDistanceMm { get; init; } = 1050;

    /// <summary>Lowest camera elevation above the object's xy plane, degrees (views cover the upper hemisphere).</summary>
    public double MinElevationDeg { get; init; } = 5;

    /// <summary>In-plane rotation drawn from U(−this, this), degrees.</summary>
    public double InPlaneRotationDeg { get; init; } = 45;

    /// <summary>Largest number of distractor shapes per image (drawn from 0..this).</summary>
    public int MaxDistractors { get; init; } = 3;

    /// <summary>Probability that one distractor is placed in front of the object, partially occluding it.</summary>
    public double OcclusionProbability { get; init; } = 0.3;

    /// <summary>Smallest visible fraction accepted for the object (occluders are re-drawn otherwise).</summary>
    public double MinVisibleFraction { get; init; } = 0.3;

    /// <summary>Folder of PNG/JPEG backgrounds; when null, backgrounds are procedural.</summary>
    public string? BackgroundDir { get; init; }

    /// <summary>Write 16-bit depth maps (mm, <c>depth_scale</c> 1).</summary>
    public bool WriteDepth { get; init; } = true;

    /// <summary>Rendering threads (default: all cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}
