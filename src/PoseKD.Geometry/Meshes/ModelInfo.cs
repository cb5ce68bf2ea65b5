namespace PoseKD.Geometry.Meshes;

/// <summary>
/// One entry of BOP's <c>models_info.json</c>: diameter (mm), axis-aligned box (min corner and size),
/// discrete symmetries (4×4 row-major transforms, 16 numbers each, translation in mm) and continuous
/// symmetries (axis and offset).
/// </summary>
public sealed class ModelInfo
{
    /// <summary>Largest distance between two model vertices, mm.</summary>
    public double Diameter { get; set; }

    /// <summary>Minimum corner of the axis-aligned box (min_x, min_y, min_z), mm.</summary>
    public double[] Min { get; set; } = new double[3];

    /// <summary>Size of the axis-aligned box (size_x, size_y, size_z), mm.</summary>
    public double[] Size { get; set; } = new double[3];

    /// <summary>Discrete symmetries: each a 4×4 row-major rigid transform flattened to 16 numbers.</summary>
    public List<double[]> SymmetriesDiscrete { get; } = [];

    /// <summary>Continuous symmetries.</summary>
    public List<ContinuousSymmetry> SymmetriesContinuous { get; } = [];

    /// <summary>True when the model has any discrete or continuous symmetry.</summary>
    public bool IsSymmetric => SymmetriesDiscrete.Count > 0 || SymmetriesContinuous.Count > 0;

    /// <summary>Computes diameter and box from a mesh's vertices (no symmetries).</summary>
    public static ModelInfo FromMesh(Mesh mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var (min, max) = MeshGeometry.BoundingBox(mesh.Vertices);
        return new ModelInfo
        {
            Diameter = MeshGeometry.Diameter(mesh.Vertices),
            Min = min,
            Size = [max[0] - min[0], max[1] - min[1], max[2] - min[2]],
        };
    }
}
