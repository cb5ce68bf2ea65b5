using System.Globalization;
using PoseKD.Geometry;
using PoseKD.Geometry.Meshes;

namespace PoseKD.Data.Bop;

/// <summary>
/// The models folder of a BOP dataset: the <c>obj_XXXXXX.ply</c> files in sorted order give the class ids
/// (class id = position, obj id = the number after <c>obj_</c>), as the reference's <c>load_bop_meshes</c>.
/// Meshes are read on first use.
/// </summary>
public sealed class ObjectModels
{
    private readonly Lazy<Mesh>[] _meshes;

    /// <summary>The models folder.</summary>
    public string Directory { get; }

    /// <summary>PLY files in class-id order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Object id of each class id.</summary>
    public IReadOnlyList<int> ObjIds { get; }

    /// <summary>Object id → class id.</summary>
    public IReadOnlyDictionary<int, int> ClassOfObj { get; }

    /// <summary>Number of classes (models).</summary>
    public int Count => Files.Count;

    /// <summary>Lists <paramref name="modelsDir"/>; throws when it holds no PLY file or a name lacks an obj id.</summary>
    public ObjectModels(string modelsDir)
    {
        ArgumentNullException.ThrowIfNull(modelsDir);
        if (!System.IO.Directory.Exists(modelsDir)) throw new DirectoryNotFoundException($"models folder not found: {modelsDir}");
        Directory = modelsDir;
        var files = System.IO.Directory.GetFiles(modelsDir, "*.ply").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"no .ply model in {modelsDir}");
        var ids = new int[files.Length];
        var map = new Dictionary<int, int>();
        for (int i = 0; i < files.Length; i++)
        {
            string stem = Path.GetFileNameWithoutExtension(files[i]);
            if (stem.Length <= 4 || !int.TryParse(stem.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]))
                throw new BopFormatException(files[i], "file name", "expected obj_<id>.ply (e.g. obj_000001.ply)");
            map[ids[i]] = i;
        }
        Files = files; ObjIds = ids; ClassOfObj = map;
        _meshes = files.Select(f => new Lazy<Mesh>(() => PlyReader.Read(f))).ToArray();
    }

    /// <summary>The mesh of class <paramref name="classId"/> (read on first use, then cached).</summary>
    public Mesh Mesh(int classId) => _meshes[classId].Value;
}
