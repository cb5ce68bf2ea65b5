namespace PoseKD.Training.Config;

/// <summary>The <c>DATASETS</c> section: list files, meshes, the 3D-box file, diameters, symmetries and class count.</summary>
public sealed record DatasetsConfig
{
    /// <summary><c>TRAIN</c>: training image list file.</summary>
    public string Train { get; init; } = "./data/linemod/000001_train.txt";
    /// <summary><c>VALID</c>: validation image list file.</summary>
    public string Valid { get; init; } = "./data/linemod/000001_test.txt";
    /// <summary><c>TEST</c>: test image list file.</summary>
    public string Test { get; init; } = "./data/linemod/000001_test.txt";
    /// <summary><c>MESH_DIR</c>: folder of <c>obj_XXXXXX.ply</c> meshes.</summary>
    public string MeshDir { get; init; } = "./data/linemod/models/";
    /// <summary><c>BBOX_FILE</c>: per-class 8 box corners (keypoints).</summary>
    public string BboxFile { get; init; } = "./data/linemod/linemod_bbox.json";
    /// <summary><c>MESH_DIAMETERS</c> in mm, one per object class (the reference's values, kept for parity).</summary>
    public double[] MeshDiametersMm { get; init; } = [104.26, 250.85, 167.49, 177.43, 204.83, 154.63, 129.85, 264.12, 110.83, 164.65, 178.35, 145.61, 279.04, 287.24, 213.25];
    /// <summary><c>SYMMETRY_TYPES</c>: <c>cls_i</c> (0-based class id) → axis/angle list such as [X, 180, Z, 180].</summary>
    public Dictionary<string, string[]> SymmetryTypes { get; init; } = new(StringComparer.Ordinal)
    {
        ["cls_9"] = ["X", "180", "Y", "180", "Z", "180"],
        ["cls_10"] = ["Z", "180"],
    };
    /// <summary><c>N_CLASS</c>: object classes + 1 (background).</summary>
    public int NClass { get; init; } = 16;

    /// <summary>The 0-based class ids that <see cref="SymmetryTypes"/> names.</summary>
    public IReadOnlySet<int> SymmetricClassIds => SymmetryTypes.Keys
        .Select(k => k.StartsWith("cls_", StringComparison.Ordinal) && int.TryParse(k[4..], out int c) ? c : -1)
        .Where(c => c >= 0).ToHashSet();
}
