using PoseKD.Data.Imaging;
using PoseKD.Data.Synthesis;

namespace PoseKD.Bench;

/// <summary>
/// <c>synth</c>: throughput of <c>posekd synth</c> at 640×480 (target ≥ 30 images/s on 2 cores), plus the cost of its
/// stages (procedural background, rasterising one object, PNG encoding of the RGB image and a mask).
/// </summary>
public sealed class SynthBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "synth";

    /// <inheritdoc />
    public string Description => "synthetic LINEMOD generator: images/s at 640x480 and per-stage costs";

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        int w = 640, h = 480;
        var rng = new Random(1);
        var bg = new byte[w * h * 3];
        report.Time("background_procedural_ms", () => Backgrounds.Procedural(rng, bg, w, h), reps: 20);
        var r = new Rasterizer(w, h);
        var mesh = new RenderMesh(BuiltInObjects.Create("mug"));
        double[] rot = [1, 0, 0, 0, -1, 0, 0, 0, -1], t = [0, 0, 700], light = [0, 0, -1];
        report.Time("rasterise_mug_ms", () => { r.Reset(bg); r.Draw(mesh, rot, t, SynthOptions.LinemodK, light, 0.4, 0.6, 1); }, reps: 20);
        var rgb = new Image8(w, h, 3, (byte[])r.Color.Clone());
        report.Time("png_encode_rgb_ms", () => PngEncoder.Encode(rgb), reps: 10);
        var mask = new Image8(w, h, 1);
        for (int i = 0; i < mask.Data.Length; i++) mask.Data[i] = r.Label[i] == 1 ? (byte)255 : (byte)0;
        report.Time("png_encode_mask_ms", () => PngEncoder.Encode(mask), reps: 10);
        var png = PngEncoder.Encode(rgb);
        report.Time("png_decode_rgb_ms", () => PngDecoder.Decode(png, "bench"), reps: 10);

        var dir = Path.Combine(Path.GetTempPath(), $"posekd-synth-bench-{Environment.ProcessId}");
        try
        {
            int perObject = 40;
            for (int rep = 0; rep < 2; rep++)
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
                var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var s = SyntheticDatasetGenerator.Generate(new SynthOptions { OutputDir = dir, ImagesPerObject = perObject, Threads = Environment.ProcessorCount });
                if (rep == 1)
                {
                    report.Value("generate_images", s.Images);
                    report.Value("generate_seconds", s.Seconds, "s");
                    report.Value("generate_images_per_s", s.ImagesPerSecond, "images/s");
                    report.Value("generate_mb_per_image", s.Bytes / 1e6 / s.Images, "MB");
                    report.Value("threads", Environment.ProcessorCount);
                    // CPU time per image: what the generator costs when it has the cores to itself
                    double cpuMs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / s.Images;
                    report.Value("cpu_ms_per_image", cpuMs, "ms");
                    report.Value("estimated_images_per_s_idle_cores", 1000.0 * Environment.ProcessorCount / cpuMs, "images/s");
                }
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
