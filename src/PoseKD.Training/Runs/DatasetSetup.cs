using PoseKD.Data.Bop;
using PoseKD.Training.Config;

namespace PoseKD.Training.Runs;

/// <summary>
/// The dataset files a config names, resolved and checked before any training starts: a relative path is taken
/// relative to the config file's folder when it exists there (the synthetic generator's configs), otherwise
/// relative to the working directory (the reference's <c>./data/linemod/…</c> layout).
/// </summary>
public static class DatasetSetup
{
    /// <summary>Resolves <paramref name="path"/> of <paramref name="config"/> (see the type's summary).</summary>
    public static string Resolve(PoseKDConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(path);
        if (Path.IsPathRooted(path)) return path;
        if (config.SourceFile.Length > 0)
        {
            string candidate = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config.SourceFile))!, path));
            if (File.Exists(candidate) || Directory.Exists(candidate)) return candidate;
        }
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// Opens the list <paramref name="listKey"/> (<c>TRAIN</c>, <c>VALID</c> or <c>TEST</c>) of <c>DATASETS</c> with its
    /// meshes and 3D boxes, and checks it: the list exists and is not empty, the box file exists, and the number of
    /// object models equals <c>N_CLASS − 1</c>. Each problem is one clear error naming the file and key.
    /// </summary>
    /// <param name="config">The resolved config.</param>
    /// <param name="listKey"><c>TRAIN</c>, <c>VALID</c> or <c>TEST</c>.</param>
    /// <param name="cacheDecoded">Keep decoded images in memory up to <c>POSEKD.IMAGE_CACHE_MB</c> (training lists, read every epoch).</param>
    public static BopDataset Open(PoseKDConfig config, string listKey, bool cacheDecoded = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        var d = config.Datasets;
        string list = listKey switch
        {
            "TRAIN" => d.Train, "VALID" => d.Valid, "TEST" => d.Test,
            _ => throw new ArgumentException($"unknown list key '{listKey}' (TRAIN, VALID or TEST)", nameof(listKey)),
        };
        string file = config.SourceFile.Length > 0 ? config.SourceFile : "<config>";
        string listPath = Resolve(config, list);
        if (!File.Exists(listPath)) throw new ConfigException($"{file}: key 'DATASETS.{listKey}': image list not found: {listPath}");
        string meshDir = Resolve(config, d.MeshDir);
        if (!Directory.Exists(meshDir)) throw new ConfigException($"{file}: key 'DATASETS.MESH_DIR': folder not found: {meshDir}");
        string boxFile = Resolve(config, d.BboxFile);
        if (!File.Exists(boxFile)) throw new ConfigException($"{file}: key 'DATASETS.BBOX_FILE': 3D box file not found: {boxFile}");
        var ds = BopDataset.FromListFile(listPath, meshDir, boxFile);
        if (cacheDecoded) ds.CacheBytes = (long)config.Run.ImageCacheMb << 20;
        if (ds.Count == 0) throw new ConfigException($"{file}: key 'DATASETS.{listKey}': the image list {listPath} is empty");
        if (ds.Models.Count != d.NClass - 1)
            throw new ConfigException($"{file}: key 'DATASETS.N_CLASS': {d.NClass} means {d.NClass - 1} object classes, but {meshDir} holds {ds.Models.Count} object models");
        if (d.MeshDiametersMm.Length < ds.Models.Count)
            throw new ConfigException($"{file}: key 'DATASETS.MESH_DIAMETERS': {d.MeshDiametersMm.Length} diameters for {ds.Models.Count} object models");
        return ds;
    }
}
