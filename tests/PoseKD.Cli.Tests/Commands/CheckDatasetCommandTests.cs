using PoseKD.Cli.Commands;
using PoseKD.Data.Bop;
using PoseKD.Data.Synthesis;

namespace PoseKD.Cli.Tests.Commands;

public sealed class CheckDatasetCommandTests
{
    [Fact]
    public void Check_CleanAndBrokenDataset_ReportsCountsAndProblems()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"posekd-cli-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            SyntheticDatasetGenerator.Generate(new SynthOptions
            {
                OutputDir = dir, Objects = ["lblock", "twinbox"], ImagesPerObject = 3, Width = 160, Height = 120,
                K = [143.1, 0, 81.3, 0, 143.4, 60.5, 0, 0, 1], MinDistanceMm = 300, MaxDistanceMm = 350,
            });
            var ds = BopDataset.FromSplitFolder(Path.Combine(dir, "real"), Path.Combine(dir, "models"), Path.Combine(dir, "linemod_bbox.json"));
            var clean = new StringWriter();
            Assert.Equal(0, CheckDatasetCommand.Check(ds, "box", 10, clean));
            Assert.Contains("loaded 6, failed 0", clean.ToString());
            Assert.Contains("class   1 (obj      2): 3", clean.ToString());
            Assert.Contains("160x120 ×6", clean.ToString());
            Assert.Contains("visible fraction", clean.ToString());
            Assert.Contains("no problems found", clean.ToString());

            File.WriteAllText(Path.Combine(dir, "real", "000002", "scene_gt.json"), "{\"0\": [{\"cam_R_m2c\": [1,0,0], \"cam_t_m2c\": [0,0,1], \"obj_id\": 2}]}");
            var broken = new StringWriter();
            ds = BopDataset.FromSplitFolder(Path.Combine(dir, "real"), Path.Combine(dir, "models"), null);
            Assert.Equal(2, CheckDatasetCommand.Check(ds, null, 10, broken));
            Assert.Contains("failed 3", broken.ToString());
            Assert.Contains("cam_R_m2c", broken.ToString());
            Assert.Contains("3 problem(s)", broken.ToString());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
